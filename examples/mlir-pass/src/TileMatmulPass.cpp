// simtune-tile-matmul: for every linalg.matmul on static, contiguous memrefs, try each candidate
// tiling on a standalone copy of the op, lower it to an object file for the target (MLIR → LLVM
// dialect → LLVM IR → LLVM -O2 → object, all in-process), let simtune link, check and rank the
// candidates, and rewrite the op with the winner's tiling, recording the choice as attributes.
//
// This translation unit is built like MLIR itself (no RTTI). It talks to simtune only through
// tile_search.hpp and catches simtune's errors (std::exception) before they reach MLIR code.
#include "TileMatmulPass.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithmeticToLLVM/ArithmeticToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/LLVMCommon/LoweringOptions.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arithmetic/IR/Arithmetic.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

#include "tile_search.hpp"

using namespace mlir;
namespace fs = std::filesystem;

namespace simtune_mlir {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string join(const TileSizes& t) { return llvm::formatv("{0},{1},{2}", t[0], t[1], t[2]).str(); }

/// "8,8,8;16,16,16" → candidate tile sizes; the error names the bad entry.
FailureOr<std::vector<TileSizes>> parse_tiles(llvm::StringRef text, std::string& error) {
    std::vector<TileSizes> out;
    llvm::SmallVector<llvm::StringRef> entries;
    text.split(entries, ';', -1, /*KeepEmpty=*/false);
    for (auto entry : entries) {
        llvm::SmallVector<llvm::StringRef> fields;
        entry.trim().split(fields, ',');
        TileSizes t{};
        bool ok = fields.size() == 3;
        for (std::size_t i = 0; ok && i < 3; ++i) ok = !fields[i].trim().getAsInteger(10, t[i]) && t[i] > 0;
        if (!ok) {
            error = llvm::formatv("bad tile sizes '{0}': expected three positive integers 'M,N,K'", entry).str();
            return failure();
        }
        if (std::find(out.begin(), out.end(), t) != out.end()) {
            error = llvm::formatv("tile sizes '{0}' are listed twice", entry).str();
            return failure();
        }
        out.push_back(t);
    }
    if (out.empty()) {
        error = "no candidate tile sizes given (tiles=\"M,N,K;M,N,K;...\")";
        return failure();
    }
    return out;
}

/// Why a matmul cannot be tuned, or "" if it can; fills `shape` when it can.
std::string untunable_reason(linalg::MatmulOp op, MatmulShape& shape) {
    auto linalg_op = cast<linalg::LinalgOp>(op.getOperation());
    if (!linalg_op.hasBufferSemantics())
        return "it works on tensors; only matmuls on memrefs (after bufferization) are tuned";
    std::array<MemRefType, 3> types;
    for (unsigned i = 0; i < 3; ++i) {
        types[i] = op->getOperand(i).getType().dyn_cast<MemRefType>();
        if (!types[i] || types[i].getRank() != 2) return "its operands are not 2-d memrefs";
        if (!types[i].hasStaticShape()) return "its operands have dynamic shapes; only static shapes are tuned";
        if (!types[i].getLayout().isIdentity())
            return "its operands are not contiguous row-major memrefs (non-identity layout)";
    }
    const Type element = types[0].getElementType();
    if (!(element.isF32() || element.isF64()) || types[1].getElementType() != element ||
        types[2].getElementType() != element)
        return "its element types are not all f32 or all f64";
    shape.m = types[0].getDimSize(0);
    shape.k = types[0].getDimSize(1);
    shape.n = types[1].getDimSize(1);
    shape.f64 = element.isF64();
    return {};
}

/// The candidate as a module of its own: `func @simtune_kernel(A, B, C)` holding the matmul tiled
/// with `tiles`, in the same loop structure the rewrite will produce.
FailureOr<OwningOpRef<ModuleOp>> tiled_kernel_module(MLIRContext& context, const MatmulShape& shape,
                                                     const TileSizes& tiles) {
    OpBuilder builder(&context);
    const Location loc = builder.getUnknownLoc();
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
    const Type element = shape.f64 ? builder.getF64Type() : builder.getF32Type();
    const auto a = MemRefType::get({shape.m, shape.k}, element);
    const auto b = MemRefType::get({shape.k, shape.n}, element);
    const auto c = MemRefType::get({shape.m, shape.n}, element);
    auto function = builder.create<func::FuncOp>(loc, "simtune_kernel", builder.getFunctionType({a, b, c}, {}));
    Block* body = function.addEntryBlock();
    builder.setInsertionPointToStart(body);
    auto matmul = builder.create<linalg::MatmulOp>(loc, ValueRange{body->getArgument(0), body->getArgument(1)},
                                                   ValueRange{body->getArgument(2)});
    builder.create<func::ReturnOp>(loc);

    IRRewriter rewriter(&context);
    rewriter.setInsertionPoint(matmul);
    auto tiled = linalg::tileLinalgOp(rewriter, cast<linalg::LinalgOp>(matmul.getOperation()),
                                      linalg::LinalgTilingOptions().setTileSizes(llvm::ArrayRef<int64_t>(tiles)));
    if (failed(tiled)) return failure();
    rewriter.eraseOp(matmul);
    return module;
}

/// MLIR (linalg on memrefs) → LLVM dialect. The bare-pointer calling convention turns the
/// function into `void simtune_kernel(T* A, T* B, T* C)`: simtune's kernel contract.
LogicalResult lower_to_llvm_dialect(ModuleOp module) {
    PassManager pm(module.getContext());
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
    pm.addPass(createLowerAffinePass());
    pm.addPass(createConvertSCFToCFPass());
    pm.addPass(arith::createConvertArithmeticToLLVMPass());
    pm.addPass(createMemRefToLLVMPass());
    LowerToLLVMOptions options(module.getContext());
    options.useBarePtrCallConv = true;
    pm.addPass(createConvertFuncToLLVMPass(options));
    pm.addPass(cf::createConvertControlFlowToLLVMPass());
    pm.addPass(createReconcileUnrealizedCastsPass());
    return pm.run(module);
}

/// LLVM dialect → LLVM IR → -O2 → object file for the target, in-process (what mlir-translate,
/// opt -O2 and llc -filetype=obj would do). Returns "" or an error message.
std::string emit_object(ModuleOp module, const LlvmTarget& target, const fs::path& object) {
    llvm::LLVMContext llvm_context;
    auto llvm_module = translateModuleToLLVMIR(module, llvm_context, "simtune_kernel");
    if (!llvm_module) return "translation to LLVM IR failed";
    llvm::StripDebugInfo(*llvm_module);

    std::string error;
    const auto* llvm_target = llvm::TargetRegistry::lookupTarget(target.triple, error);
    if (!llvm_target) return "LLVM has no target for " + target.triple + ": " + error;
    llvm::TargetOptions options;
    options.MCOptions.ABIName = target.abi;
    std::unique_ptr<llvm::TargetMachine> machine(
        llvm_target->createTargetMachine(target.triple, target.cpu, target.features, options, llvm::Reloc::Static,
                                         llvm::None, llvm::CodeGenOpt::Default));
    if (!machine) return "cannot create an LLVM target machine for " + target.triple + " " + target.cpu;
    llvm_module->setTargetTriple(target.triple);
    llvm_module->setDataLayout(machine->createDataLayout());

    // -O2, as simtune builds C kernels. No library calls (like -fno-builtin): a loop must not turn
    // into memset/memcpy, whose code would lie outside the kernel's section.
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder passes(machine.get());
    llvm::TargetLibraryInfoImpl library_info{llvm::Triple(target.triple)};
    library_info.disableAllFunctions();
    fam.registerPass([&] { return llvm::TargetLibraryAnalysis(library_info); });
    passes.registerModuleAnalyses(mam);
    passes.registerCGSCCAnalyses(cgam);
    passes.registerFunctionAnalyses(fam);
    passes.registerLoopAnalyses(lam);
    passes.crossRegisterProxies(lam, fam, cgam, mam);
    passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(*llvm_module, mam);

    std::error_code ec;
    llvm::raw_fd_ostream out(object.string(), ec, llvm::sys::fs::OF_None);
    if (ec) return "cannot write " + object.string() + ": " + ec.message();
    llvm::legacy::PassManager codegen;
    if (machine->addPassesToEmitFile(codegen, out, nullptr, llvm::CGFT_ObjectFile))
        return "LLVM cannot emit an object file for " + target.triple;
    codegen.run(*llvm_module);
    out.flush();
    return out.has_error() ? "error writing " + object.string() : "";
}

/// A scratch folder for one pass run's objects, removed afterwards (build_kernel_from_object
/// keeps what it needs in simtune's build cache): a fresh private directory made by mkdtemp, never
/// one someone else created under a name they could predict.
/// With `keep` set, the objects go there and stay.
struct ScratchDir {
    fs::path path;
    bool remove = true;
    explicit ScratchDir(const std::string& keep) {
        remove = keep.empty();
        if (!remove) {
            path = fs::path(keep);
            fs::create_directories(path);
            return;
        }
        std::string pattern = (fs::temp_directory_path() / "simtune-mlir-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw fs::filesystem_error("cannot create a scratch directory", fs::path(pattern),
                                       std::error_code(errno, std::generic_category()));
        path = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        if (remove) fs::remove_all(path, ec);
    }
};

struct TileMatmulPass : PassWrapper<TileMatmulPass, OperationPass<ModuleOp>> {
    MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TileMatmulPass)

    TileMatmulPass() = default;
    TileMatmulPass(const TileMatmulPass& other) : PassWrapper(other) {}

    llvm::StringRef getArgument() const final { return "simtune-tile-matmul"; }
    llvm::StringRef getDescription() const final {
        return "Tile every static linalg.matmul with the candidate tile sizes simtune predicts fastest on a target";
    }
    void getDependentDialects(DialectRegistry& registry) const override {
        registry.insert<AffineDialect, arith::ArithmeticDialect, linalg::LinalgDialect, memref::MemRefDialect,
                        scf::SCFDialect>();
    }

    Option<std::string> target{*this, "target", llvm::cl::desc("simtune target: host-x86-64, cortex-a72, sifive-u74"),
                               llvm::cl::init("host-x86-64")};
    Option<std::string> tiles{*this, "tiles", llvm::cl::desc("candidate (M,N,K) tile sizes, 'M,N,K;M,N,K;...'"),
                              llvm::cl::init("8,8,8;16,16,16;32,32,8")};
    Option<std::string> simulator{*this, "simulator",
                                  llvm::cl::desc("unicorn or qemu (default: what the scoring model was trained with)"),
                                  llvm::cl::init("")};
    Option<std::string> model{*this, "model",
                              llvm::cl::desc("model file to score with (default: the target's default model)"),
                              llvm::cl::init("")};
    Option<std::string> report{
        *this, "report", llvm::cl::desc("write the ranking report to this file (default: stderr)"), llvm::cl::init("")};
    Option<bool> verify{*this, "verify", llvm::cl::desc("check every candidate's result against the untiled matmul"),
                        llvm::cl::init(true)};
    Option<std::string> objects{*this, "objects", llvm::cl::desc("keep the candidates' object files in this folder"),
                                llvm::cl::init("")};
    Option<unsigned> confirm{
        *this, "confirm",
        llvm::cl::desc("measure the best N candidates natively and choose by measured time (host only)"),
        llvm::cl::init(0)};
    Option<unsigned> workers{*this, "workers", llvm::cl::desc("simulation threads (0: one per core)"),
                             llvm::cl::init(0)};

    void runOnOperation() override;

private:
    void write_report(const std::string& text);
    /// Lowers one candidate to an object in `dir`; an error message on failure.
    FailureOr<CandidateObject> lower_candidate(MLIRContext& kernel_context, const MatmulShape& shape,
                                               const TileSizes& t, const LlvmTarget& llvm_target, const fs::path& dir,
                                               std::string& error);
};

FailureOr<CandidateObject> TileMatmulPass::lower_candidate(MLIRContext& kernel_context, const MatmulShape& shape,
                                                           const TileSizes& t, const LlvmTarget& llvm_target,
                                                           const fs::path& dir, std::string& error) {
    const auto start = std::chrono::steady_clock::now();
    CandidateObject candidate;
    candidate.tiles = t;
    candidate.object =
        dir / llvm::formatv("kernel-{0}x{1}x{2}-{3}-{4}-{5}.o", shape.m, shape.n, shape.k, t[0], t[1], t[2]).str();
    auto module = tiled_kernel_module(kernel_context, shape, t);
    if (failed(module)) {
        error = "linalg tiling failed";
        return failure();
    }
    if (failed(lower_to_llvm_dialect(**module))) {
        error = "lowering to the LLVM dialect failed";
        return failure();
    }
    error = emit_object(**module, llvm_target, candidate.object);
    if (!error.empty()) return failure();
    candidate.lower_seconds = seconds_since(start);
    return candidate;
}

void TileMatmulPass::runOnOperation() {
    ModuleOp module = getOperation();
    std::string error;
    const auto candidates = parse_tiles(tiles, error);
    if (failed(candidates)) {
        module.emitError() << "simtune-tile-matmul: " << error;
        return signalPassFailure();
    }

    std::vector<linalg::MatmulOp> matmuls;
    module.walk([&](linalg::MatmulOp op) { matmuls.push_back(op); });
    std::vector<std::pair<linalg::MatmulOp, MatmulShape>> tunable;
    for (auto op : matmuls) {
        MatmulShape shape;
        if (op->hasAttr("simtune.tile_sizes")) {
            op.emitRemark() << "simtune-tile-matmul: left alone: already tiled by simtune";
        } else if (auto reason = untunable_reason(op, shape); !reason.empty()) {
            op.emitRemark() << "simtune-tile-matmul: left untiled: " << reason;
        } else {
            tunable.emplace_back(op, shape);
        }
    }
    std::string text;
    llvm::raw_string_ostream out(text);
    if (tunable.empty()) {
        out << "simtune-tile-matmul: no static linalg.matmul on memrefs to tune\n";
        return write_report(text);
    }
    try {
        SearchOptions options;
        options.target = target;
        options.simulator = simulator;
        options.model_file = model;
        options.verify = verify;
        options.workers = workers;
        options.confirm_top = confirm;
        TileSearch search(options);

        // Candidates are built in a context of their own: they never touch the module being
        // rewritten, and their lowering passes do not run nested inside this pass's context.
        DialectRegistry registry;
        registry.insert<AffineDialect, arith::ArithmeticDialect, cf::ControlFlowDialect, func::FuncDialect,
                        linalg::LinalgDialect, LLVM::LLVMDialect, memref::MemRefDialect, scf::SCFDialect>();
        registerLLVMDialectTranslation(registry);
        MLIRContext kernel_context(registry, MLIRContext::Threading::DISABLED);
        kernel_context.loadAllAvailableDialects();
        static const bool llvm_targets_ready = [] {
            llvm::InitializeAllTargetInfos();
            llvm::InitializeAllTargets();
            llvm::InitializeAllTargetMCs();
            llvm::InitializeAllAsmPrinters();
            return true;
        }();
        (void)llvm_targets_ready;
        ScratchDir scratch(objects);

        out << llvm::formatv("simtune-tile-matmul: target {0}, simulator {1}, scorer: {2}\n", search.target_name(),
                             search.simulator_name(), search.scorer_description());
        for (std::size_t n = 0; n < tunable.size(); ++n) {
            auto [op, shape] = tunable[n];
            std::vector<CandidateObject> objects;
            std::vector<std::pair<TileSizes, std::string>> lowering_failures;
            for (const auto& t : *candidates) {
                std::string why;
                auto candidate = lower_candidate(kernel_context, shape, t, search.llvm_target(), scratch.path, why);
                if (succeeded(candidate)) objects.push_back(*candidate);
                else lowering_failures.emplace_back(t, why);
            }
            auto result = search.rank(shape, objects);
            for (auto& [t, why] : lowering_failures) {
                CandidateOutcome failed;
                failed.tiles = t;
                failed.error = why;
                result.ranked.push_back(failed);
            }

            std::string where;
            llvm::raw_string_ostream where_out(where);
            op.getLoc().print(where_out);
            auto function = op->getParentOfType<func::FuncOp>();
            out << llvm::formatv("op {0}: linalg.matmul in @{1} at {2}: M={3} N={4} K={5} {6}, {7} candidates\n", n + 1,
                                 function ? function.getName() : llvm::StringRef("?"), where_out.str(), shape.m,
                                 shape.n, shape.k, shape.f64 ? "f64" : "f32", candidates->size());
            out << llvm::formatv("  {0,-4} {1,-12} {2,-12} {3,-12} {4,-10} {5,-9} {6,-8} {7,-8} {8,-8} {9,-8} {10}\n",
                                 "rank", "tiles", "predicted_s", "instructions", "l1d_miss", "verified", "lower_s",
                                 "link_s", "check_s", "sim_s", "measured_s");
            std::size_t rank = 0;
            for (const auto& c : result.ranked) {
                if (c.ok)
                    out << llvm::formatv(
                        "  {0,-4} {1,-12} {2,-12} {3,-12} {4,-10} {5,-9} {6,-8} {7,-8} {8,-8} {9,-8} {10}\n", ++rank,
                        join(c.tiles), llvm::formatv("{0:e3}", c.predicted_seconds).str(), c.instructions, c.l1d_misses,
                        c.verified ? "yes" : "skipped", llvm::formatv("{0:f3}", c.lower_seconds).str(),
                        llvm::formatv("{0:f3}", c.link_seconds).str(), llvm::formatv("{0:f3}", c.verify_seconds).str(),
                        llvm::formatv("{0:f3}", c.simulate_seconds).str(),
                        c.measured_seconds >= 0 ? llvm::formatv("{0:e3}", c.measured_seconds).str() : std::string("-"));
                else out << llvm::formatv("  {0,-4} {1,-12} failed: {2}\n", "-", join(c.tiles), c.error);
            }
            if (rank == 0) {
                // The overall error names the cause: the first failure (the report lists them all).
                out.flush();
                llvm::errs() << text;
                const auto& first = result.ranked.front();
                op.emitError() << llvm::formatv(
                    "simtune-tile-matmul: every candidate tiling failed ({0} of {0}, see the "
                    "report above); the first, tiles {1}: {2}",
                    result.ranked.size(), join(first.tiles), first.error);
                return signalPassFailure();
            }
            const auto& best = result.ranked.front();
            out << "  chosen " << join(best.tiles) << "\n";

            // Rewrite the op with the winner's tiling, as the candidate was built.
            IRRewriter rewriter(op.getContext());
            rewriter.setInsertionPoint(op);
            auto tiled =
                linalg::tileLinalgOp(rewriter, cast<linalg::LinalgOp>(op.getOperation()),
                                     linalg::LinalgTilingOptions().setTileSizes(llvm::ArrayRef<int64_t>(best.tiles)));
            if (failed(tiled)) {
                op.emitError() << "simtune-tile-matmul: tiling with " << join(best.tiles) << " failed";
                return signalPassFailure();
            }
            Operation* inner = tiled->op.getOperation();
            inner->setAttr("simtune.tile_sizes", rewriter.getI64ArrayAttr(llvm::ArrayRef<int64_t>(best.tiles)));
            inner->setAttr("simtune.matmul_shape", rewriter.getI64ArrayAttr({shape.m, shape.n, shape.k}));
            inner->setAttr("simtune.target", rewriter.getStringAttr(search.target_name()));
            inner->setAttr("simtune.predicted_seconds", rewriter.getF64FloatAttr(best.predicted_seconds));
            inner->setAttr("simtune.candidates", rewriter.getI64IntegerAttr(static_cast<int64_t>(candidates->size())));
            rewriter.eraseOp(op);
        }
    } catch (const std::exception& e) {
        out.flush();
        llvm::errs() << text;
        module.emitError() << "simtune-tile-matmul: " << e.what();
        return signalPassFailure();
    }

    out.flush();
    write_report(text);
}

void TileMatmulPass::write_report(const std::string& text) {
    if (report.empty()) {
        llvm::errs() << text;
        return;
    }
    std::error_code ec;
    llvm::raw_fd_ostream file(report, ec, llvm::sys::fs::OF_Text);
    if (ec) {
        getOperation().emitError() << "simtune-tile-matmul: cannot write the report to " << report << ": "
                                   << ec.message();
        return signalPassFailure();
    }
    file << text;
}

} // namespace

void registerTileMatmulPass() { PassRegistration<TileMatmulPass>(); }

} // namespace simtune_mlir
