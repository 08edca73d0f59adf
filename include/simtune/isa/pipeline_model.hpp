#pragma once
// PipelineModel: static per-block cycle estimates from LLVM's machine-code analyser (the MCA
// library behind llvm-mca) for one CPU's scheduling model. Simulator counters say what a kernel
// executes; they miss what decides many kernels on a real core: dependency chains, latency against
// throughput, port pressure. MCA simulates a block run back to back on the CPU's modelled pipeline,
// so a loop body's loop-carried chains show up in its cycles per iteration.
//
// LLVM stays behind the pimpl: this header is all a user of simtune sees.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "simtune/target.hpp"

namespace simtune {

/// What MCA estimates for one basic block.
struct BlockCost {
    /// Cycles per iteration when the block runs repeatedly: MCA's cycles for `iterations` back-to-
    /// back runs divided by `iterations` (so loop-carried dependencies count).
    double cycles = 0;
    /// Resource-bound reciprocal throughput: the busiest processor resource's (or the dispatch
    /// width's) cycles per iteration, ignoring dependencies (llvm-mca's "Block RThroughput").
    double resource_cycles = 0;
    std::uint64_t uops = 0;         ///< micro-ops per iteration (MCA's, plus 1 per unsupported)
    std::uint32_t instructions = 0; ///< instructions decoded (including the unsupported ones)
    /// Instructions MCA could not model: bytes that do not decode, opcodes without scheduling
    /// information. Each is charged 1 cycle, 1 cycle of resources and 1 micro-op. Calls and
    /// returns, which MCA does not model (it assumes 100 cycles for a call), are charged the same
    /// but not counted here: every kernel ends in one.
    std::uint32_t unsupported = 0;
    friend bool operator==(const BlockCost&, const BlockCost&) = default;
};

/// Which CPU model: an ISA, an LLVM CPU name ("host" = this machine's, "" = generic) and LLVM
/// subtarget features. Target::pipeline_cpu / pipeline_features give the built-in targets' ones.
struct PipelineCpu {
    Isa isa = Isa::x86_64;
    std::string cpu;
    std::string features;

    [[nodiscard]] static PipelineCpu of(const Target& target) {
        return {target.isa, target.pipeline_cpu, target.pipeline_features};
    }
    friend bool operator==(const PipelineCpu&, const PipelineCpu&) = default;
};

/// A source of block costs. PipelineCollector calls it through this interface so that code which
/// only carries a CollectorSet (the QEMU plugin) does not link LLVM.
class BlockCostModel {
public:
    virtual ~BlockCostModel() = default;
    /// The cost of the block made of `code`, whose first instruction is at guest address
    /// `address`. Never throws for bad code.
    [[nodiscard]] virtual BlockCost cost(std::span<const std::byte> code, std::uint64_t address) const = 0;
};

/// Thread-safe: one set of LLVM objects per model behind a mutex (MCA's instruction builder caches
/// descriptors and is not reentrant); costs are cached by block bytes, so each distinct block is
/// analysed once per model and later lookups take the mutex only briefly.
class PipelineModel final : public BlockCostModel {
public:
    /// Throws Error(invalid_argument) if LLVM does not know the CPU for the ISA or has no
    /// instruction scheduling model for it.
    explicit PipelineModel(const PipelineCpu& cpu, unsigned iterations = 100);
    ~PipelineModel() override;
    PipelineModel(const PipelineModel&) = delete;
    PipelineModel& operator=(const PipelineModel&) = delete;

    /// One model per distinct PipelineCpu for the whole process, created on first use, so every
    /// simulation worker shares one cost cache.
    [[nodiscard]] static std::shared_ptr<PipelineModel> shared(const PipelineCpu& cpu);

    /// The cost of the block made of `code`, whose first instruction is at guest address
    /// `address`. Never throws for bad code: what does not decode or has no scheduling
    /// information is charged as `unsupported`. An empty block costs nothing.
    [[nodiscard]] BlockCost cost(std::span<const std::byte> code, std::uint64_t address) const override;

    /// The LLVM CPU name in use ("host" resolved, e.g. "znver2"; "generic" for the default).
    [[nodiscard]] const std::string& cpu_name() const noexcept;
    [[nodiscard]] unsigned iterations() const noexcept;
    /// Distinct blocks analysed so far (cache misses).
    [[nodiscard]] std::size_t blocks_analysed() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace simtune
