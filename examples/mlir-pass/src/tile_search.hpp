#pragma once
// The seam between the MLIR pass and simtune. The pass (built like MLIR: no RTTI) lowers each
// candidate tiling to an object file; this side (built like simtune) links the objects with the
// harness, checks that every candidate computes the untiled matmul's result, and ranks them with a
// simtune Tuner. Only standard types cross the seam, so neither side includes the other's headers.
// Failures are thrown as simtune::Error, seen by the pass as std::exception.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace simtune_mlir {

/// How to generate code for a simtune target with LLVM: what llc's -mtriple, -mcpu, -mattr and
/// -target-abi would be. Derived from the target's GCC flags, so the objects link with the
/// harness that the target's GCC compiles (same ISA extensions, same float ABI).
struct LlvmTarget {
    std::string triple;
    std::string cpu;
    std::string features; ///< "+m,+a,+f,+d,+c" or empty
    std::string abi;      ///< "lp64d" or empty
};

/// C[M×N] += A[M×K] · B[K×N], all of one float type, row-major, contiguous.
struct MatmulShape {
    std::int64_t m = 0, n = 0, k = 0;
    bool f64 = false; ///< f32 otherwise
};

using TileSizes = std::array<std::int64_t, 3>; ///< (M, N, K) tile sizes, in linalg.matmul's loop order

/// One candidate as the pass produced it.
struct CandidateObject {
    TileSizes tiles{};
    std::filesystem::path object; ///< relocatable object defining simtune_kernel(A, B, C)
    double lower_seconds = 0;     ///< MLIR tiling + lowering + LLVM optimisation + codegen
};

struct SearchOptions {
    std::string target = "host-x86-64"; ///< simtune::target_by_name
    std::string simulator;              ///< "unicorn" or "qemu"; empty: the scoring model's own
    std::string model_file;             ///< a model file to score with; empty: see scoring_model()
    bool verify = true;                 ///< run every candidate under Unicorn and compare C
    std::size_t workers = 0;            ///< simulation threads; 0: one per core
    /// Measure the best `confirm_top` candidates natively and order those by measured time (the
    /// target must run on this machine: host-x86-64).
    std::size_t confirm_top = 0;
};

/// One candidate's outcome, in ranking order.
struct CandidateOutcome {
    TileSizes tiles{};
    bool ok = false;
    std::string error; ///< why it failed (build, simulation or verification)
    double predicted_seconds = 0;
    double measured_seconds = -1; ///< native time per call if confirmed, else < 0
    std::uint64_t instructions = 0;
    std::uint64_t l1d_misses = 0;
    bool verified = false;         ///< C matched the reference within the tolerance
    double max_relative_error = 0; ///< largest |C - reference| / (|C0| + Σ|a·b|) over C
    double lower_seconds = 0, link_seconds = 0, verify_seconds = 0, simulate_seconds = 0;
};

struct SearchResult {
    std::vector<CandidateOutcome> ranked; ///< successful ones by predicted time, then failures
};

class TileSearch {
public:
    /// Resolves the target, the scoring model and the simulator. Throws simtune::Error.
    explicit TileSearch(const SearchOptions& options);
    ~TileSearch();
    TileSearch(const TileSearch&) = delete;
    TileSearch& operator=(const TileSearch&) = delete;

    [[nodiscard]] const LlvmTarget& llvm_target() const;
    [[nodiscard]] const std::string& target_name() const;
    [[nodiscard]] const std::string& simulator_name() const;
    [[nodiscard]] const std::string& scorer_description() const;

    /// Links, verifies and ranks the candidates of one matmul. A failing candidate is reported in
    /// the result, never thrown; throws simtune::Error only for a problem with the whole search.
    SearchResult rank(const MatmulShape& shape, const std::vector<CandidateObject>& candidates);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace simtune_mlir
