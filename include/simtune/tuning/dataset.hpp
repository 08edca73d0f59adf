#pragma once
// Datasets: for a workload space and a target, one row per variant with the variant's schedule,
// its Stats from each chosen simulator, and its measured run time. Stored as CSV; building one
// resumes after an interruption without redoing finished rows.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "simtune/collectors/selection.hpp"
#include "simtune/distributed/collective.hpp"
#include "simtune/predictors/training_set.hpp"
#include "simtune/simulation.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"
#include "simtune/tuning/native.hpp"
#include "simtune/tuning/pool.hpp"
#include "simtune/tuning/workloads.hpp"

namespace simtune {

struct DatasetRow {
    std::string workload;
    std::string variant; ///< Variant::id
    std::map<std::string, int> knobs;
    std::map<std::string, Stats> stats;               ///< by simulator name ("unicorn", "qemu")
    std::map<std::string, double> simulation_seconds; ///< wall-clock per simulator
    double seconds = 0;                               ///< measured: minimum over passes
    double median_seconds = 0;
    double spread = 0; ///< (median - min) / min over passes
    /// The measurement's halves (half_minima, half_agreement): the minimum over each half of the
    /// passes; 0 where unknown (imported times, files from before these columns).
    double half_a_seconds = 0, half_b_seconds = 0;
    double native_seconds = 0; ///< wall-clock of the measuring processes; 0: unknown

    [[nodiscard]] std::string key() const { return workload + "/" + variant; }
};

class Dataset {
public:
    std::vector<DatasetRow> rows;
    /// How many leading Stats counters (feature_names() order) the rows hold: one of
    /// Stats::feature_layouts. Files written before counters were appended (the mca_* ones, then
    /// the TLB and stream ones) hold fewer; the later counters are absent, not zero.
    std::size_t counters = Stats::feature_count;
    /// Whether the file has the timing-detail columns (half_a_seconds, half_b_seconds, native_seconds);
    /// files written before them do not, and rows appended to such a file leave them out.
    bool timing_details = true;

    /// Writes the CSV: workload, variant, knobs ("k=v;k=v"), then for each simulator every Stats
    /// feature as "<simulator>.<feature>" and "<simulator>.sim_seconds", then seconds,
    /// median_seconds, spread, half_a_seconds, half_b_seconds, native_seconds.
    void save_csv(const std::filesystem::path& file) const;
    /// Reads a CSV written by save_csv, by this version or an earlier one (see `counters`).
    /// Throws Error(io / invalid_data) naming the line and column.
    static Dataset load_csv(const std::filesystem::path& file);

    /// Simulators that every row has Stats for.
    [[nodiscard]] std::vector<std::string> simulators() const;
    /// Workloads in first-appearance order.
    [[nodiscard]] std::vector<std::string> workloads() const;
    /// Rows → a TrainingSet over `simulator`'s Stats (groups = workloads), optionally only rows
    /// whose workload passes `keep`.
    [[nodiscard]] TrainingSet training_set(std::string_view simulator,
                                           const std::function<bool(const DatasetRow&)>& keep = {}) const;
};

struct DatasetOptions {
    std::vector<std::string> simulators{"unicorn"}; ///< any of "unicorn", "qemu"
    CollectorSelection collectors;
    SimulationLimits limits;
    /// QEMU's sampled memory statistics (off: exact counting, what the shipped models are trained on).
    SamplingOptions sampling;
    std::size_t workers = 0;               ///< parallel simulations; 0 = one per core
    std::size_t variants_per_workload = 0; ///< 0 = all
    std::uint64_t seed = 1;                ///< which variants (enumerate_variants)
    std::size_t chunk = 64;                ///< variants simulated, measured and saved together
    NativeTimingOptions native;            ///< interleaved passes; used for native targets
    /// For boards: measured times from a CSV (columns: key, seconds) instead of native timing.
    std::optional<std::filesystem::path> times_csv;
    std::filesystem::path build_cache; ///< empty: the default build cache
    /// Progress: (phase, done, total) with phase "build+simulate" or "measure". With a collective,
    /// "build+simulate" counts this rank's share.
    std::function<void(std::string_view, std::size_t, std::size_t)> progress;
    /// Non-owning; null = one process. With several ranks, every rank calls build_dataset with the
    /// same workloads and options (workers may differ): each chunk's variants are sharded
    /// round-robin across the ranks, built and simulated there, and gathered on the root, which
    /// alone reads and writes the CSV and times natively (the other ranks wait meanwhile, so they
    /// do not disturb the timing). The CSV is the one a single process writes, wall-clock columns
    /// aside. A rank given other inputs than the root's throws Error(invalid_argument).
    Collective* collective = nullptr;
};

/// Builds (or completes) the dataset at `csv` for `workloads` on `target`: rows already in the
/// file are kept and not redone; each chunk of new variants is built, simulated with every chosen
/// simulator in parallel, measured (interleaved passes) and appended. A variant that fails to
/// build or simulate is reported through `on_error` and skipped. Returns the whole dataset (with a
/// collective: on the root; the other ranks get an empty dataset and never call `on_error`).
Dataset build_dataset(std::span<const Workload> workloads, const Target& target, const DatasetOptions& options,
                      const std::filesystem::path& csv,
                      const std::function<void(const std::string& key, const std::string& error)>& on_error = {});

/// The same for a user's own candidates (e.g. a directory of variants of one kernel,
/// load_candidate_directory): every candidate becomes a row of workload `workload` whose variant is
/// the candidate's name (knobs empty), so the file trains like any other (`simtune train`).
/// `variants_per_workload` and `seed` do not apply. Imported times may name a row
/// "<workload>/<name>" or just "<name>". Throws Error(invalid_argument) for no candidates, two of
/// one name, or a name that cannot be a CSV cell (',', ';', '/', line breaks).
Dataset build_dataset(std::string_view workload, std::span<const Candidate> candidates, const Target& target,
                      const DatasetOptions& options, const std::filesystem::path& csv,
                      const std::function<void(const std::string& key, const std::string& error)>& on_error = {});

/// Reads "key,seconds" rows (a header line is allowed) into a map; throws Error on malformed lines.
std::map<std::string, double> import_times_csv(const std::filesystem::path& file);

} // namespace simtune
