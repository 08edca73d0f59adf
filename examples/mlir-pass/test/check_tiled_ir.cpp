// simtune-mlir-check: checks what simtune-tile-matmul produced, by parsing it with MLIR.
//
//   simtune-mlir-check OUT.mlir REPORT TARGET TILES TUNED UNTUNED [CONFIRMED]
//
// OUT.mlir must parse; exactly TUNED linalg.matmul ops carry the simtune attributes and UNTUNED do
// not. Each tuned matmul: simtune.target is TARGET, simtune.candidates counts TILES, its
// simtune.tile_sizes are one of TILES ("M,N,K;M,N,K;..."), and it sits in three scf.for loops
// from 0 to M, N, K (simtune.matmul_shape) whose steps are the chosen tile sizes. The report has
// one block per tuned matmul that ranks every candidate, all verified, and names the same choice;
// with CONFIRMED, the top CONFIRMED rows of each block carry native times in ascending order.
// Prints every failed check and exits 1 if there was one.
#include <cmath>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arithmetic/IR/Arithmetic.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

using namespace mlir;
using Tiles = std::vector<int64_t>;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    if (!ok) {
        ++failures;
        std::cerr << "check failed: " << what << "\n";
    }
}

std::string str(const Tiles& t) {
    std::string s;
    for (std::size_t i = 0; i < t.size(); ++i) s += (i ? "," : "") + std::to_string(t[i]);
    return s;
}

std::vector<Tiles> parse_candidates(const std::string& text) {
    std::vector<Tiles> out;
    std::stringstream entries(text);
    std::string entry;
    while (std::getline(entries, entry, ';')) {
        Tiles t;
        std::stringstream fields(entry);
        std::string f;
        while (std::getline(fields, f, ',')) t.push_back(std::stoll(f));
        out.push_back(t);
    }
    return out;
}

std::optional<Tiles> int_array(Operation* op, llvm::StringRef name) {
    auto array = op->getAttrOfType<ArrayAttr>(name);
    if (!array) return std::nullopt;
    Tiles out;
    for (auto a : array) {
        auto i = a.dyn_cast<IntegerAttr>();
        if (!i) return std::nullopt;
        out.push_back(i.getInt());
    }
    return out;
}

/// One op block of the report: the ranked rows' tiles and the choice.
struct ReportBlock {
    std::vector<std::pair<std::string, std::string>> rows; // (rank, tiles)
    std::vector<std::string> verified;
    std::vector<std::string> measured;
    std::string chosen;
};

std::vector<ReportBlock> parse_report(const std::string& path) {
    std::ifstream in(path);
    check(bool(in), "the report " + path + " exists");
    std::vector<ReportBlock> blocks;
    std::string line;
    while (std::getline(in, line)) {
        std::stringstream words(line);
        std::string first, second;
        words >> first >> second;
        if (line.rfind("op ", 0) == 0) {
            blocks.emplace_back();
        } else if (!blocks.empty() && first == "chosen") {
            blocks.back().chosen = second;
        } else if (!blocks.empty() && first != "rank" && !first.empty() && line.rfind("  ", 0) == 0) {
            std::string predicted, instructions, misses, verified, lower, link, checked, simulated, measured;
            words >> predicted >> instructions >> misses >> verified >> lower >> link >> checked >> simulated >>
                measured;
            blocks.back().rows.emplace_back(first, second);
            blocks.back().verified.push_back(first == "-" ? line : verified);
            blocks.back().measured.push_back(measured);
        }
    }
    return blocks;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 7 && argc != 8) {
        std::cerr << "usage: simtune-mlir-check OUT.mlir REPORT TARGET TILES TUNED UNTUNED [CONFIRMED]\n";
        return 2;
    }
    const std::string target = argv[3];
    const auto candidates = parse_candidates(argv[4]);
    const long expect_tuned = std::stol(argv[5]), expect_untuned = std::stol(argv[6]);
    const std::size_t confirmed = argc == 8 ? std::stoul(argv[7]) : 0;

    DialectRegistry registry;
    registry.insert<AffineDialect, arith::ArithmeticDialect, func::FuncDialect, linalg::LinalgDialect,
                    memref::MemRefDialect, scf::SCFDialect>();
    MLIRContext context(registry);
    context.allowUnregisteredDialects(false);
    auto module = parseSourceFile<ModuleOp>(argv[1], &context);
    if (!module) {
        std::cerr << "check failed: " << argv[1] << " does not parse\n";
        return 1;
    }

    std::vector<Tiles> chosen;
    long untuned = 0;
    module->walk([&](linalg::MatmulOp op) {
        auto tiles = int_array(op, "simtune.tile_sizes");
        if (!tiles) {
            ++untuned;
            check(!op->hasAttr("simtune.target") && !op->hasAttr("simtune.candidates"),
                  "an untuned matmul carries no simtune attributes");
            return;
        }
        chosen.push_back(*tiles);
        const auto where = "matmul #" + std::to_string(chosen.size()) + " (tiles " + str(*tiles) + ")";
        check(std::find(candidates.begin(), candidates.end(), *tiles) != candidates.end(),
              where + ": the chosen tile sizes are one of the candidates");
        auto t = op->getAttrOfType<StringAttr>("simtune.target");
        check(t && t.getValue() == target, where + ": simtune.target is " + target);
        auto n = op->getAttrOfType<IntegerAttr>("simtune.candidates");
        check(n && n.getInt() == static_cast<int64_t>(candidates.size()),
              where + ": simtune.candidates counts every candidate");
        auto predicted = op->getAttrOfType<FloatAttr>("simtune.predicted_seconds");
        check(predicted && std::isfinite(predicted.getValueAsDouble()) && predicted.getValueAsDouble() > 0,
              where + ": simtune.predicted_seconds is a positive number");
        auto shape = int_array(op, "simtune.matmul_shape");
        check(shape && shape->size() == 3, where + ": simtune.matmul_shape holds M, N, K");

        // The three enclosing loops, outermost first: M, N, K, stepping by the tile sizes.
        std::vector<scf::ForOp> loops;
        for (auto loop = op->getParentOfType<scf::ForOp>(); loop && loops.size() < 3;
             loop = loop->getParentOfType<scf::ForOp>())
            loops.insert(loops.begin(), loop);
        check(loops.size() == 3, where + ": sits in three scf.for loops");
        for (std::size_t i = 0; i < loops.size() && shape && shape->size() == 3 && tiles->size() == 3; ++i) {
            const auto lb = getConstantIntValue(loops[i].getLowerBound());
            const auto ub = getConstantIntValue(loops[i].getUpperBound());
            const auto step = getConstantIntValue(loops[i].getStep());
            const auto loop = where + " loop " + std::to_string(i);
            check(lb && *lb == 0, loop + " starts at 0");
            check(ub && *ub == (*shape)[i], loop + " ends at " + std::to_string((*shape)[i]));
            check(step && *step == (*tiles)[i], loop + " steps by " + std::to_string((*tiles)[i]));
        }
    });
    check(static_cast<long>(chosen.size()) == expect_tuned,
          std::to_string(chosen.size()) + " tuned matmuls, expected " + std::to_string(expect_tuned));
    check(untuned == expect_untuned,
          std::to_string(untuned) + " untuned matmuls, expected " + std::to_string(expect_untuned));

    const auto blocks = parse_report(argv[2]);
    check(blocks.size() == chosen.size(), "the report has one block per tuned matmul");
    for (std::size_t b = 0; b < blocks.size() && b < chosen.size(); ++b) {
        const auto& block = blocks[b];
        const auto where = "report block " + std::to_string(b + 1);
        std::set<std::string> listed, expected;
        for (const auto& c : candidates) expected.insert(str(c));
        for (std::size_t r = 0; r < block.rows.size(); ++r) {
            listed.insert(block.rows[r].second);
            check(block.rows[r].first == std::to_string(r + 1), where + ": row " + std::to_string(r + 1) +
                                                                    " is ranked " + std::to_string(r + 1) + " (got " +
                                                                    block.rows[r].first + ")");
            check(block.verified[r] == "yes",
                  where + ": candidate " + block.rows[r].second + " was verified (" + block.verified[r] + ")");
        }
        check(listed == expected && block.rows.size() == candidates.size(), where + ": ranks every candidate once");
        double previous = 0;
        for (std::size_t r = 0; r < block.measured.size(); ++r) {
            const auto& m = block.measured[r];
            if (r >= confirmed) {
                check(m == "-", where + ": row " + std::to_string(r + 1) + " has no native time");
                continue;
            }
            char* end = nullptr;
            const double seconds = m.empty() ? -1 : std::strtod(m.c_str(), &end);
            check(end && *end == '\0' && seconds > 0,
                  where + ": row " + std::to_string(r + 1) + " has a native time (" + m + ")");
            check(seconds >= previous, where + ": confirmed rows are in order of native time");
            previous = seconds;
        }
        check(!block.rows.empty() && block.chosen == block.rows.front().second,
              where + ": the choice is the top-ranked candidate");
        check(block.chosen == str(chosen[b]),
              where + ": the choice " + block.chosen + " is the tiling in the IR " + str(chosen[b]));
    }

    if (failures) {
        std::cerr << failures << " checks failed\n";
        return 1;
    }
    std::cout << "simtune-mlir-check: " << chosen.size() << " tuned, " << untuned
              << " untuned matmuls: all checks passed\n";
    return 0;
}
