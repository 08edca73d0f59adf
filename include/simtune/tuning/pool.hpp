#pragma once
// SimulationPool: builds (if given as source) and simulates a batch of candidates on a pool of
// workers, one simulator per worker — threads for Unicorn; for QEMU each worker waits on its own
// QEMU process. Stats are cached by binary content, so a candidate seen before costs a lookup.
// One failing candidate becomes a result carrying its error; it never ends the batch.
#include <atomic>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "simtune/build.hpp"
#include "simtune/collectors/selection.hpp"
#include "simtune/error.hpp"
#include "simtune/simulators/any_simulator.hpp"
#include "simtune/tuning/stats_cache.hpp"

namespace simtune {

/// One implementation to rank: C source to build, or a binary already built.
struct Candidate {
    std::string name;
    std::string source;
    std::vector<BufferSpec> buffers;
    std::vector<std::string> flags;
    std::optional<KernelBinary> binary;

    static Candidate from_source(std::string name, std::string source, std::vector<BufferSpec> buffers,
                                 std::vector<std::string> flags = {}) {
        return {std::move(name), std::move(source), std::move(buffers), std::move(flags), std::nullopt};
    }
    static Candidate from_binary(std::string name, KernelBinary binary) {
        return {std::move(name), {}, {}, {}, std::move(binary)};
    }
};

struct CandidateResult {
    std::size_t index = 0; ///< position in the batch given to rank()
    std::string name;
    std::optional<KernelBinary> binary;
    std::optional<Stats> stats;
    double predicted_seconds = std::numeric_limits<double>::quiet_NaN();
    /// The untrained cycle estimate, in cycles, where the Tuner ranked with the near-tie gate
    /// (TunerOptions::near_tie_window); NaN otherwise.
    double estimate_cycles = std::numeric_limits<double>::quiet_NaN();
    std::optional<double> measured_seconds; ///< set for the natively confirmed top candidates
    bool cache_hit = false;
    double simulation_seconds = 0;       ///< wall-clock time of build + simulation (0 on a cache hit)
    std::optional<ErrorKind> error_kind; ///< set if the candidate failed
    std::string error;                   ///< the failure's message

    [[nodiscard]] bool ok() const noexcept { return !error_kind.has_value(); }
};

struct PoolOptions {
    std::size_t workers = 0;       ///< 0: one per core
    CollectorSelection collectors; ///< what each simulation collects
    BuildOptions build;            ///< for candidates given as source
};

class SimulationPool {
public:
    SimulationPool(Target target, SimulatorFactory simulators, PoolOptions options = {});

    /// Builds and simulates every candidate. `on_result` runs serialised (under the pool's lock)
    /// on the worker that finished the candidate, and may complete the result (e.g. score it).
    /// Returns the results in batch order. After an interruption (request_interrupt, interrupt.hpp)
    /// no candidate starts, those running stop, and run throws Error(cancelled).
    std::vector<CandidateResult> run(std::span<const Candidate> candidates,
                                     const std::function<void(CandidateResult&)>& on_result = {});

    /// Stops a running run() from any thread: candidates not yet started come back with
    /// ErrorKind::cancelled; simulations in flight finish (each is bounded by its limits).
    void cancel() noexcept { cancelled_ = true; }

    [[nodiscard]] StatsCache& cache() noexcept { return *cache_; }
    [[nodiscard]] const Target& target() const noexcept { return target_; }
    [[nodiscard]] std::size_t workers() const noexcept { return workers_; }

private:
    CandidateResult evaluate(const Candidate& candidate, std::size_t index, AnySimulator& simulator);

    Target target_;
    SimulatorFactory simulators_;
    PoolOptions options_;
    std::size_t workers_;
    std::shared_ptr<StatsCache> cache_ = std::make_shared<StatsCache>();
    std::atomic<bool> cancelled_{false};
};

} // namespace simtune
