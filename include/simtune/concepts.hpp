#pragma once
// The three seams of simtune. Everything else is an adapter that models one of them.
#include <concepts>
#include <filesystem>
#include <span>
#include <string_view>

#include "simtune/events.hpp"
#include "simtune/kernel.hpp"
#include "simtune/simulation.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"

namespace simtune {

// Declared only: the seams name these, the parts that implement them define them, so this file
// depends on nothing above the vocabulary headers.
class CollectorSet;
struct TrainingSet;

/// Receives a simulation's events and contributes its counters to Stats. Both simulators drive the
/// same collectors, so a cache model or a classification is written once.
template <class C>
concept StatsCollector =
    requires(C& c, const C& cc, const DecodedBlock& block, const MemoryAccess& access, Stats& stats) {
        { cc.events() } -> std::same_as<EventKind>; ///< which events it needs
        c.on_block(block);                          ///< one execution of a decoded block
        c.on_memory(access);                        ///< one data access
        cc.contribute(stats);                       ///< adds its counters to `stats`
        c.reset();                                  ///< forgets everything, ready for another run
    };

/// Runs a kernel binary for a target, feeding the chosen collectors, and returns the Stats they
/// produced (plus the final buffers where the simulator can read them back).
template <class S>
concept Simulator = requires(S& sim, const KernelBinary& kernel, const Target& target, CollectorSet& collectors) {
                        { S::name } -> std::convertible_to<std::string_view>;
                        { sim.run(kernel, target, collectors) } -> std::same_as<SimulationResult>;
                    };

/// Learns run time from raw counters; predicts seconds for one row of raw counters.
template <class P>
concept Predictor = requires(P& p, const P& cp, const TrainingSet& data, std::span<const double> row,
                             const std::filesystem::path& file) {
                        p.fit(data);
                        { cp.predict(row) } -> std::convertible_to<double>;
                        cp.save(file);
                        { P::load(file) } -> std::same_as<P>;
                    };

} // namespace simtune
