#pragma once
// An analytic cost model: predicted seconds from Stats and a first-order description of a core,
// with no training. It exists for targets that have no measured run times to train on (the
// built-in cortex-a72 and sifive-u74 ship no trained model), so that a tuner can still rank
// candidates there — unvalidated on those targets, and saying so (the description reads
// "analytic:<target>"). benchmarks/bench_analytic_model.cpp measures how it ranks where it can be
// checked: a host's measured dataset (benchmarks/RESULTS.md, "Analytic cost model").
//
// The model, per kernel call (every term is printed by AnalyticBreakdown::explain()):
//   compute cycles  out-of-order core: max(instructions / issue width, the busiest resource), where
//                   each resource's cycles are its instruction count × reciprocal throughput
//                   (load and store count memory accesses, so x86 compute-with-memory-operand
//                   instructions occupy the load port too; taken branches are a resource of their
//                   own, the front end's redirect limit);
//                   in-order core: max(instructions / issue width, the sum over classes of count ×
//                   reciprocal throughput) + taken branches × taken-branch bubble.
//   memory cycles   (L1D misses × L2 hit latency + L2 misses × LLC hit latency + LLC misses × DRAM
//                   latency) / memory-level parallelism.
//   seconds         (compute + memory cycles) / clock.
// It sees no dependency chains, no prefetching other than through the parallelism divisor, and no
// branch mispredictions (Stats has no predictor). It is a ranking aid, not a simulator.
#include <array>
#include <string>

#include "simtune/stats.hpp"
#include "simtune/target.hpp"
#include "simtune/predict.hpp"

namespace simtune {

/// A first-order description of one CPU core, for the analytic model.
struct CoreModel {
    std::string name;       ///< e.g. "Cortex-A72"
    double ghz = 0;         ///< clock frequency
    double issue_width = 0; ///< instructions issued (dispatched) per cycle at most
    bool in_order = false;  ///< in-order cores add class costs instead of overlapping them
    /// Reciprocal throughput in cycles per instruction of each InsnClass on the whole core (e.g. 0.5
    /// for a class two pipes can each start every cycle). Indexed by InsnClass.
    std::array<double, insn_class_count> cycles_per_insn{};
    double taken_branch_cycles = 0; ///< front-end cost of a taken branch (resource or bubble)
    double l2_hit_cycles = 0;       ///< extra cycles of an L1D miss that hits in L2
    double llc_hit_cycles = 0;      ///< extra cycles of an L2 miss that hits in the LLC (0: L2 is the LLC)
    double dram_cycles = 0;         ///< extra cycles of an LLC miss
    double memory_parallelism = 1;  ///< misses in flight at once (divides the memory cycles)
    std::string source;             ///< where the figures come from

    [[nodiscard]] double cost(InsnClass c) const noexcept { return cycles_per_insn[static_cast<std::size_t>(c)]; }
    /// Throws Error(invalid_argument) naming the first field that is not finite and positive
    /// (costs and penalties may be zero; clock, issue width and parallelism must be positive).
    void validate() const;
};

/// The core behind a built-in target: "host-x86-64" (a generic recent x86-64 core), "cortex-a72",
/// "sifive-u74". Throws Error(invalid_argument) naming the target for any other.
CoreModel core_model_for(const Target& target);

/// Where the analytic model's cycles go for one kernel call.
struct AnalyticBreakdown {
    double issue_cycles = 0;            ///< instructions / issue width
    double busiest_resource_cycles = 0; ///< out-of-order: the busiest resource; in-order: the class sum
    std::string busiest_resource;       ///< e.g. "load", "fp_scalar", "taken branches", "class sum"
    std::string bound;                  ///< "issue" or busiest_resource, whichever is larger
    double compute_cycles = 0;
    double memory_cycles = 0;
    double total_cycles = 0;
    double seconds = 0;
    /// One line: "… cycles = compute … (bound: …) + memory …; … s at … GHz".
    [[nodiscard]] std::string explain() const;
};

/// The analytic model's breakdown of `stats` on `core`. Never negative or NaN for a valid core.
AnalyticBreakdown analytic_breakdown(const Stats& stats, const CoreModel& core);

/// The analytic model as a TargetModel for `target` (Unicorn statistics, every collector):
/// description "analytic:<target name>".
TargetModel analytic_model(const Target& target);
/// The same with an explicit core description (validated).
TargetModel analytic_model(const Target& target, const CoreModel& core);

} // namespace simtune
