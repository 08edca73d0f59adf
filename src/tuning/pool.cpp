#include "simtune/tuning/pool.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>

#include "simtune/interrupt.hpp"

namespace simtune {

SimulationPool::SimulationPool(Target target, SimulatorFactory simulators, PoolOptions options)
    : target_(std::move(target)), simulators_(std::move(simulators)), options_(std::move(options)) {
    target_.validate();
    if (!simulators_) fail(ErrorKind::invalid_argument, "a simulation pool needs a simulator factory");
    workers_ = options_.workers ? options_.workers : std::max(1u, std::thread::hardware_concurrency());
}

CandidateResult SimulationPool::evaluate(const Candidate& candidate, std::size_t index, AnySimulator& simulator) {
    CandidateResult r;
    r.index = index;
    r.name = candidate.name;
    const auto start = std::chrono::steady_clock::now();
    try {
        if (candidate.binary) {
            if (candidate.binary->isa() != target_.isa)
                fail(ErrorKind::wrong_isa, "{}: built for {}, but the target {} is {}",
                     candidate.binary->path().string(), candidate.binary->isa(), target_.name, target_.isa);
            r.binary = candidate.binary;
        } else {
            BuildOptions build = options_.build;
            build.flags.insert(build.flags.end(), candidate.flags.begin(), candidate.flags.end());
            r.binary = build_kernel(candidate.source, candidate.buffers, target_, build);
        }
        const auto key =
            StatsCache::key(r.binary->content_hash(), target_.name, simulator.name(), options_.collectors.key());
        if (auto cached = cache_->find(key)) {
            r.stats = *cached;
            r.cache_hit = true;
        } else {
            auto collectors = options_.collectors.make(target_);
            r.stats = simulator.run(*r.binary, target_, collectors).stats;
            cache_->insert(key, *r.stats);
        }
    } catch (const Error& e) {
        r.error_kind = e.kind();
        r.error = e.what();
    } catch (const std::exception& e) {
        r.error_kind = ErrorKind::simulation_fault;
        r.error = e.what();
    }
    if (!r.cache_hit)
        r.simulation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

std::vector<CandidateResult> SimulationPool::run(std::span<const Candidate> candidates,
                                                 const std::function<void(CandidateResult&)>& on_result) {
    cancelled_ = false;
    std::vector<CandidateResult> results(candidates.size());
    std::atomic<std::size_t> next{0};
    std::mutex report;
    std::exception_ptr callback_error; // the first exception thrown by on_result, raised after the join
    auto work = [&] {
        std::optional<AnySimulator> simulator;
        std::optional<std::string> setup_error;
        try {
            simulator.emplace(simulators_());
        } catch (const std::exception& e) {
            setup_error = e.what();
        }
        for (std::size_t i = next++; i < candidates.size(); i = next++) {
            CandidateResult r;
            if (cancelled_ || interrupt_requested()) {
                r.index = i;
                r.name = candidates[i].name;
                r.error_kind = ErrorKind::cancelled;
                r.error = "cancelled before it was simulated";
            } else if (setup_error) {
                r.index = i;
                r.name = candidates[i].name;
                r.error_kind = ErrorKind::tool_missing;
                r.error = "cannot create the simulator: " + *setup_error;
            } else {
                r = evaluate(candidates[i], i, *simulator);
            }
            std::scoped_lock lock(report);
            results[i] = std::move(r);
            // on_result runs on this worker thread: an exception escaping it would std::terminate.
            // The first one stops the batch (the rest come back cancelled) and is rethrown below.
            if (on_result && !callback_error) {
                try {
                    on_result(results[i]);
                } catch (...) {
                    callback_error = std::current_exception();
                    cancelled_ = true;
                }
            }
        }
    };
    {
        std::vector<std::jthread> pool;
        const std::size_t n = std::min(workers_, std::max<std::size_t>(candidates.size(), 1));
        for (std::size_t w = 1; w < n; ++w) pool.emplace_back(work);
        work(); // the calling thread is a worker too
    }
    if (callback_error) std::rethrow_exception(callback_error);
    // Interrupted (SIGINT/SIGTERM): the batch is incomplete; no caller may take it for a result.
    throw_if_interrupted("simulating a batch");

    return results;
}

} // namespace simtune
