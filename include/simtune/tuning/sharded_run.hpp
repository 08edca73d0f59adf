#pragma once
// Running one batch of candidates across the ranks of a Collective: each rank builds and simulates
// its round-robin shard on its own SimulationPool (threads within the process), the results travel
// to the root serialised, and the root merges them back into batch order, so what the root holds is
// what a single process would have computed (wall-clock fields aside). A candidate that fails on
// any rank reaches the root as a failed result, exactly as in one process.
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "simtune/distributed/collective.hpp"
#include "simtune/tuning/shard.hpp"
#include "simtune/tuning/pool.hpp"

namespace simtune {

/// Serialises results for the trip to the root: every field, Stats exactly, and (if
/// `with_binaries`) each built binary's bytes with its path.
std::string encode_results(std::span<const CandidateResult> results, bool with_binaries);
/// The inverse of encode_results. A binary whose path on this machine already holds the same bytes
/// (one machine, or a shared build cache) is loaded from there; otherwise its bytes are written to
/// `received_dir` (created if needed) so the root can run it natively. Throws
/// Error(invalid_data) on a malformed message.
std::vector<CandidateResult> decode_results(std::string_view message, const std::filesystem::path& received_dir = {});

/// A fingerprint of a batch (names, sources, flags, buffers, binaries' content hashes): ranks
/// compare it to check that they all work on the same batch.
std::string batch_fingerprint(std::span<const Candidate> candidates);

struct ShardedRunOptions {
    /// Send each built binary to the root (for native timing there).
    bool send_binaries = false;
    /// Where the root writes received binaries that are not on its disk; empty: this user's private
    /// directory simtune-received-<uid> under the system's temporary directory (created 0700;
    /// refused if someone else owns it or may write it). Copies found there are compared byte for
    /// byte with what was received before they are used.
    std::filesystem::path received_dir;
};

/// Runs `candidates` on `pool`: all of them if `collective` is null or has one rank; otherwise this
/// rank's shard, gathered to the root. The root (or a single process) returns every result in batch
/// order with `index` = batch position; the other ranks return an empty vector. `on_result` runs
/// on the rank that simulated the candidate (with its batch index set), before the gather.
std::vector<CandidateResult> run_sharded(SimulationPool& pool, std::span<const Candidate> candidates,
                                         Collective* collective,
                                         const std::function<void(CandidateResult&)>& on_result = {},
                                         const ShardedRunOptions& options = {});

/// Checks that every rank has the same `plan` (a fingerprint of its command): the root's plan is
/// broadcast and compared; a rank whose plan differs throws Error(invalid_argument) naming `what`.
/// Returns the root's plan. With no collective, returns `plan`.
std::string agree_on_plan(Collective* collective, std::string plan, std::string_view what);

/// Makes every rank wait until the root reaches the same call (e.g. so they do not simulate while
/// the root times kernels natively on the same machine). No-op without a collective.
void wait_for_root(Collective* collective);

} // namespace simtune
