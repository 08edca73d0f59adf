// PipelineModel: LLVM MCA as a library, following llvm-mca's own sequence (tools/llvm-mca/llvm-mca.cpp):
// target lookup, subtarget for the CPU, disassembler to MCInsts, mca::InstrBuilder, a circular
// source of N iterations, the default (out-of-order) or in-order pipeline, Pipeline::run.
#include "simtune/isa/pipeline_model.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/Triple.h>
#include <llvm/MC/MCAsmInfo.h>
#include <llvm/MC/MCContext.h>
#include <llvm/MC/MCDisassembler/MCDisassembler.h>
#include <llvm/MC/MCInst.h>
#include <llvm/MC/MCInstrAnalysis.h>
#include <llvm/MC/MCInstrInfo.h>
#include <llvm/MC/MCRegisterInfo.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/MCTargetOptions.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/MCA/Context.h>
#include <llvm/MCA/CustomBehaviour.h>
#include <llvm/MCA/InstrBuilder.h>
#include <llvm/MCA/Pipeline.h>
#include <llvm/MCA/SourceMgr.h>
#include <llvm/MCA/Support.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/raw_ostream.h>

#include "simtune/error.hpp"

#include "../host_cpuid.hpp"

// The three targets' initialisers (libLLVM exports them; llvm/Support/TargetSelect.h would
// initialise all twenty targets).
extern "C" {
void LLVMInitializeX86TargetInfo();
void LLVMInitializeX86TargetMC();
void LLVMInitializeX86Disassembler();
void LLVMInitializeAArch64TargetInfo();
void LLVMInitializeAArch64TargetMC();
void LLVMInitializeAArch64Disassembler();
void LLVMInitializeRISCVTargetInfo();
void LLVMInitializeRISCVTargetMC();
void LLVMInitializeRISCVDisassembler();
}

namespace simtune {
namespace {

/// The LLVM 15 CPU nearest to a host its detection does not name. LLVM 15 names every AMD family
/// 0x19 core (Zen 3 and 4) "znver3" but predates Zen 5 (family 0x1A), which it calls "x86-64":
/// a scheduling model of an Intel core of 2011, and not what the AMD rows of the shipped model's
/// data were priced with (Zen 3's; benchmarks/RESULTS.md, stop 41). An AMD core of a later family
/// is priced as Zen 3; any other host LLVM does not name keeps LLVM's answer.
std::string nearest_known_host_cpu(std::string detected) {
#if defined(__x86_64__)
    if (detected != "x86-64" && detected != "generic") return detected;
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (detail::cpuid_vendor().vendor != detail::CpuVendor::amd || !__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return detected;
    const unsigned family = ((eax >> 8) & 0xf) + ((eax >> 20) & 0xff);
    if (family >= 0x19) return "znver3";
#endif
    return detected;
}

void initialise_llvm_targets() {
    static std::once_flag once;
    std::call_once(once, [] {
        LLVMInitializeX86TargetInfo();
        LLVMInitializeX86TargetMC();
        LLVMInitializeX86Disassembler();
        LLVMInitializeAArch64TargetInfo();
        LLVMInitializeAArch64TargetMC();
        LLVMInitializeAArch64Disassembler();
        LLVMInitializeRISCVTargetInfo();
        LLVMInitializeRISCVTargetMC();
        LLVMInitializeRISCVDisassembler();
    });
}

std::string triple_of(Isa isa) {
    switch (isa) {
        case Isa::x86_64: return "x86_64-unknown-linux-gnu";
        case Isa::aarch64: return "aarch64-unknown-linux-gnu";
        case Isa::riscv64: return "riscv64-unknown-linux-gnu";
    }
    fail(ErrorKind::invalid_argument, "unknown ISA");
}

/// Bytes to step over when an instruction does not decode: one x86 byte (variable length), one
/// AArch64 word, one RISC-V parcel or word by its length bits.
std::uint64_t undecodable_step(Isa isa, std::span<const std::byte> rest) {
    switch (isa) {
        case Isa::x86_64: return 1;
        case Isa::aarch64: return 4;
        case Isa::riscv64: return (static_cast<unsigned>(rest[0]) & 3) == 3 ? 4 : 2;
    }
    return 1;
}

std::string block_key(std::span<const std::byte> code) {
    return {reinterpret_cast<const char*>(code.data()), code.size()};
}

} // namespace

struct PipelineModel::Impl {
    Isa isa;
    std::string cpu;
    unsigned iterations;
    std::string triple;
    const llvm::Target* target = nullptr;
    std::unique_ptr<llvm::MCRegisterInfo> registers;
    std::unique_ptr<llvm::MCAsmInfo> asm_info;
    std::unique_ptr<llvm::MCSubtargetInfo> subtarget;
    std::unique_ptr<llvm::MCInstrInfo> instructions;
    std::unique_ptr<llvm::MCInstrAnalysis> analysis;
    std::unique_ptr<llvm::MCContext> context;
    std::unique_ptr<llvm::MCDisassembler> disassembler;
    std::unique_ptr<llvm::mca::InstrBuilder> builder;
    /// Processor resource mask -> resource ID, for the per-resource cycles of RThroughput.
    std::unordered_map<std::uint64_t, unsigned> resource_of_mask;

    mutable std::mutex mutex; // guards everything below and the LLVM objects' use
    mutable std::unordered_map<std::string, BlockCost> cache;

    BlockCost analyse(std::span<const std::byte> code, std::uint64_t address) const;
};

PipelineModel::PipelineModel(const PipelineCpu& cpu, unsigned iterations) : impl_(std::make_unique<Impl>()) {
    if (iterations == 0) fail(ErrorKind::invalid_argument, "PipelineModel: iterations must be positive");
    initialise_llvm_targets();
    Impl& m = *impl_;
    m.isa = cpu.isa;
    m.iterations = iterations;
    m.triple = triple_of(cpu.isa);
    std::string lookup_error;
    m.target = llvm::TargetRegistry::lookupTarget(m.triple, lookup_error);
    if (!m.target) fail(ErrorKind::invalid_argument, "LLVM has no target {}: {}", m.triple, lookup_error);

    m.cpu = cpu.cpu;
    if (m.cpu == "host") {
        m.cpu = nearest_known_host_cpu(llvm::sys::getHostCPUName().str());
        if (cpu.isa != Isa::x86_64) fail(ErrorKind::invalid_argument, "pipeline CPU 'host' is only for x86-64 targets");
    }
    if (m.cpu.empty()) m.cpu = "generic";
    // A subtarget without a CPU first, to ask whether LLVM knows the CPU (creating one for an
    // unknown name would print a warning on stderr and carry on with the generic model).
    std::unique_ptr<llvm::MCSubtargetInfo> probe(m.target->createMCSubtargetInfo(m.triple, "", ""));
    if (!probe) fail(ErrorKind::invalid_argument, "LLVM cannot create a subtarget for {}", m.triple);
    if (m.cpu != "generic" && !probe->isCPUStringValid(m.cpu)) {
        // Host detection can name a CPU newer than this LLVM's tables.
        if (cpu.cpu == "host") m.cpu = "x86-64";
        else fail(ErrorKind::invalid_argument, "LLVM 15 does not know the {} CPU '{}'", to_string(cpu.isa), m.cpu);
    }
    m.subtarget.reset(m.target->createMCSubtargetInfo(m.triple, m.cpu, cpu.features));
    if (!m.subtarget) fail(ErrorKind::invalid_argument, "LLVM cannot create a subtarget for {} '{}'", m.triple, m.cpu);
    const llvm::MCSchedModel& sched = m.subtarget->getSchedModel();
    if (!sched.hasInstrSchedModel())
        fail(ErrorKind::invalid_argument, "LLVM 15 has no instruction scheduling model for the {} CPU '{}'",
             to_string(cpu.isa), m.cpu);

    m.registers.reset(m.target->createMCRegInfo(m.triple));
    const llvm::MCTargetOptions options;
    m.asm_info.reset(m.target->createMCAsmInfo(*m.registers, m.triple, options));
    m.instructions.reset(m.target->createMCInstrInfo());
    if (!m.registers || !m.asm_info || !m.instructions)
        fail(ErrorKind::invalid_argument, "LLVM's {} target lacks machine-code descriptions", m.triple);
    m.analysis.reset(m.target->createMCInstrAnalysis(m.instructions.get()));
    m.context = std::make_unique<llvm::MCContext>(llvm::Triple(m.triple), m.asm_info.get(), m.registers.get(),
                                                  m.subtarget.get());
    m.disassembler.reset(m.target->createMCDisassembler(*m.subtarget, *m.context));
    if (!m.disassembler) fail(ErrorKind::invalid_argument, "LLVM has no disassembler for {}", m.triple);
    m.builder =
        std::make_unique<llvm::mca::InstrBuilder>(*m.subtarget, *m.instructions, *m.registers, m.analysis.get());

    llvm::SmallVector<std::uint64_t, 32> masks(sched.getNumProcResourceKinds());
    llvm::mca::computeProcResourceMasks(sched, masks);
    for (unsigned id = 1; id < masks.size(); ++id) m.resource_of_mask.emplace(masks[id], id);
}

PipelineModel::~PipelineModel() = default;

std::shared_ptr<PipelineModel> PipelineModel::shared(const PipelineCpu& cpu) {
    static std::mutex registry_mutex;
    static std::map<std::tuple<Isa, std::string, std::string>, std::shared_ptr<PipelineModel>> registry;
    std::scoped_lock lock(registry_mutex);
    auto& slot = registry[{cpu.isa, cpu.cpu, cpu.features}];
    if (!slot) slot = std::make_shared<PipelineModel>(cpu);
    return slot;
}

const std::string& PipelineModel::cpu_name() const noexcept { return impl_->cpu; }
unsigned PipelineModel::iterations() const noexcept { return impl_->iterations; }

std::size_t PipelineModel::blocks_analysed() const {
    std::scoped_lock lock(impl_->mutex);
    return impl_->cache.size();
}

BlockCost PipelineModel::cost(std::span<const std::byte> code, std::uint64_t address) const {
    if (code.empty()) return {};
    auto key = block_key(code);
    std::scoped_lock lock(impl_->mutex);
    if (const auto it = impl_->cache.find(key); it != impl_->cache.end()) return it->second;
    const BlockCost c = impl_->analyse(code, address);
    impl_->cache.emplace(std::move(key), c);
    return c;
}

BlockCost PipelineModel::Impl::analyse(std::span<const std::byte> code, std::uint64_t address) const {
    BlockCost cost;
    const llvm::ArrayRef<std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(code.data()), code.size());

    // Decode; what does not decode or MCA cannot model is charged 1 cycle, 1 resource cycle, 1 uop.
    std::vector<llvm::MCInst> decoded;
    std::uint32_t charged = 0; // instructions priced at 1 cycle instead of by MCA
    for (std::uint64_t offset = 0; offset < bytes.size();) {
        llvm::MCInst inst;
        std::uint64_t size = 0;
        const auto status =
            disassembler->getInstruction(inst, size, bytes.slice(offset), address + offset, llvm::nulls());
        ++cost.instructions;
        if (status != llvm::MCDisassembler::Success || size == 0) {
            ++cost.unsupported;
            ++charged;
            offset += std::min<std::uint64_t>(undecodable_step(isa, code.subspan(offset)), bytes.size() - offset);
            continue;
        }
        offset += size;
        // MCA does not model calls and returns (it assumes 100 cycles for a call and warns on
        // stderr for both): priced as one cycle, and not "unsupported", since every kernel returns.
        const llvm::MCInstrDesc& desc = instructions->get(inst.getOpcode());
        if (desc.isCall() || desc.isReturn()) {
            ++charged;
            continue;
        }
        decoded.push_back(inst);
    }

    // MCA instructions; one whose scheduling class cannot be resolved is priced like one that
    // does not decode.
    builder->clear(); // its variant descriptors are keyed by MCInst address, which we reuse
    std::vector<std::unique_ptr<llvm::mca::Instruction>> sequence;
    std::vector<unsigned> usage(subtarget->getSchedModel().getNumProcResourceKinds(), 0);
    unsigned micro_ops = 0;
    for (const llvm::MCInst& inst : decoded) {
        auto made = builder->createInstruction(inst);
        if (!made) {
            llvm::consumeError(made.takeError());
            ++cost.unsupported;
            ++charged;
            continue;
        }
        const llvm::mca::InstrDesc& desc = (*made)->getDesc();
        micro_ops += desc.NumMicroOps;
        for (const auto& [mask, use] : desc.Resources)
            if (use.size() != 0)
                if (const auto id = resource_of_mask.find(mask); id != resource_of_mask.end())
                    usage[id->second] += use.size();
        sequence.push_back(std::move(*made));
    }

    const llvm::MCSchedModel& sched = subtarget->getSchedModel();
    double cycles = 0, resource_cycles = 0;
    if (!sequence.empty()) {
        // llvm-mca's defaults: dispatch width = issue width, unbounded queues and register file,
        // loads and stores assumed not to alias.
        const unsigned dispatch_width = std::max(1u, sched.IssueWidth);
        resource_cycles = llvm::mca::computeBlockRThroughput(sched, dispatch_width, micro_ops, usage);
        llvm::mca::Context mca(*registers, *subtarget);
        llvm::mca::CircularSourceMgr source(sequence, iterations);
        llvm::mca::CustomBehaviour behaviour(*subtarget, source, *instructions);
        const llvm::mca::PipelineOptions options(0, 0, dispatch_width, 0, 0, 0, true);
        auto pipeline = sched.isOutOfOrder() ? mca.createDefaultPipeline(options, source, behaviour)
                                             : mca.createInOrderPipeline(options, source, behaviour);
        auto total = pipeline->run();
        if (total) {
            cycles = static_cast<double>(*total) / iterations;
        } else {
            // Should not happen for instructions the builder accepted; never fatal for a block.
            llvm::consumeError(total.takeError());
            cost.unsupported += static_cast<std::uint32_t>(sequence.size());
            charged += static_cast<std::uint32_t>(sequence.size());
            resource_cycles = 0;
            micro_ops = 0;
        }
    }
    cost.cycles = cycles + charged;
    cost.resource_cycles = resource_cycles + charged;
    cost.uops = micro_ops + charged;
    return cost;
}

} // namespace simtune
