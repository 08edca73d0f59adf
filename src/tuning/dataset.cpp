// Dataset building: chunks of variants are built and simulated on a pool (one pool per simulator),
// measured natively in interleaved passes (or looked up in imported times), and appended to the
// CSV, so an interrupted build loses at most one chunk.
#include "simtune/tuning/dataset.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <iterator>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simtune/error.hpp"
#include "simtune/tuning/sharded_run.hpp"
#include "simtune/tuning/pool.hpp"

namespace simtune {

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto pos = s.find(sep, start);
        out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return out;
}

double parse_double(const std::string& text, const std::filesystem::path& file, std::size_t line,
                    std::string_view column) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(v))
        fail(ErrorKind::invalid_data, "{}:{}: column '{}': '{}' is not a finite number", file.string(), line, column,
             text);
    return v;
}

/// A CSV number that must be a whole number in [min, max] (a knob, a counter): checked before any
/// cast, which would be undefined for a value out of range.
double parse_whole(const std::string& text, double min, double max, const std::filesystem::path& file, std::size_t line,
                   std::string_view column) {
    const double v = parse_double(text, file, line, column);
    if (v < min || v >= max || v != std::floor(v))
        fail(ErrorKind::invalid_data, "{}:{}: column '{}': '{}' is not a whole number in [{:.0f}, {:.0f})",
             file.string(), line, column, text, min, max);
    return v;
}

/// Names go into the CSV unquoted: a separator in one (',' between cells, ';' and '=' in knobs, a
/// line break) would shift every later cell of the row. Such names are refused.
void check_csv_name(std::string_view name, std::string_view forbidden, std::string_view what) {
    if (name.find_first_of(forbidden) != std::string_view::npos || name.find_first_of("\n\r") != std::string_view::npos)
        fail(ErrorKind::invalid_data,
             "{} '{}' cannot be written to a dataset CSV: it contains one of '{}' or a line break", what, name,
             forbidden);
}

/// The header of a file whose rows hold the first `counters` Stats counters per simulator.
/// (With `details`, also the timing-detail columns.)
std::string header_for(const std::vector<std::string>& simulators, std::size_t counters = Stats::feature_count,
                       bool details = true) {
    std::string h = "workload,variant,knobs";
    for (const auto& s : simulators) {
        for (auto name : Stats::feature_names().first(counters)) h += fmt::format(",{}.{}", s, name);
        h += fmt::format(",{}.sim_seconds", s);
    }
    return h + ",seconds,median_seconds,spread" + (details ? ",half_a_seconds,half_b_seconds,native_seconds" : "");
}

std::string row_line(const DatasetRow& r, const std::vector<std::string>& simulators,
                     std::size_t counters = Stats::feature_count, bool details = true) {
    check_csv_name(r.workload, ",", "workload name");
    check_csv_name(r.variant, ",", "variant id");
    std::vector<std::string> knobs;
    for (const auto& [k, v] : r.knobs) {
        check_csv_name(k, ",;=", "knob name");
        knobs.push_back(fmt::format("{}={}", k, v));
    }
    std::string line = fmt::format("{},{},{}", r.workload, r.variant, fmt::join(knobs, ";"));
    for (const auto& s : simulators) {
        for (std::size_t i = 0; i < counters; ++i) line += fmt::format(",{}", r.stats.at(s).counter(i));
        line += fmt::format(",{:.6g}", r.simulation_seconds.count(s) ? r.simulation_seconds.at(s) : 0.0);
    }
    line += fmt::format(",{:.9g},{:.9g},{:.6g}", r.seconds, r.median_seconds, r.spread);
    if (details) line += fmt::format(",{:.9g},{:.9g},{:.6g}", r.half_a_seconds, r.half_b_seconds, r.native_seconds);
    return line;
}

/// Appends `text` to `file` in one write and flushes it to the disk before returning, so a chunk
/// is either wholly in the file or (interrupted mid-write) a torn last line that the next resume
/// drops (drop_torn_last_line).
void append_durably(const std::filesystem::path& file, std::string_view text) {
    if (text.empty()) return;
    const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) fail(ErrorKind::io, "cannot append to {}: {}", file.string(), std::strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = errno;
            ::close(fd);
            fail(ErrorKind::io, "cannot append to {}: {}", file.string(), std::strerror(error));
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    const int error = errno;
    ::close(fd);
    if (!synced) fail(ErrorKind::io, "cannot flush {} to disk: {}", file.string(), std::strerror(error));
}

/// A dataset whose writer was killed mid-row ends in a line without its newline: that row was
/// never complete, so it is cut off and will be redone.
void drop_torn_last_line(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.empty() || text.back() == '\n') return;
    const auto keep = text.rfind('\n');
    std::filesystem::resize_file(file, keep == std::string::npos ? 0 : keep + 1);
}

} // namespace

void Dataset::save_csv(const std::filesystem::path& file) const {
    const auto sims = simulators();
    std::ofstream out(file);
    out << header_for(sims, counters, timing_details) << '\n';
    for (const auto& r : rows) out << row_line(r, sims, counters, timing_details) << '\n';
    if (!out) fail(ErrorKind::io, "cannot write {}", file.string());
}

Dataset Dataset::load_csv(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) fail(ErrorKind::io, "{}: cannot open", file.string());
    std::string line;
    if (!std::getline(in, line))
        fail(ErrorKind::invalid_data, "{}: empty file, expected a dataset header", file.string());
    const auto header = split(line, ',');
    if (header.size() < 6 || header[0] != "workload" || header[1] != "variant" || header[2] != "knobs")
        fail(ErrorKind::invalid_data, "{}:1: not a simtune dataset header (expected workload,variant,knobs,...)",
             file.string());
    std::vector<std::string> sims;
    for (std::size_t c = 3; c < header.size(); ++c) {
        const auto dot = header[c].find('.');
        if (dot != std::string::npos && header[c].substr(dot + 1) == "instructions")
            sims.push_back(header[c].substr(0, dot));
    }
    Dataset d;
    // A file written before counters were appended (the mca_* ones, then the TLB and stream ones)
    // holds a prefix of today's counters: the later ones are absent; one written before the
    // timing-detail columns has none of those.
    bool known = false;
    for (const std::size_t counters : Stats::feature_layouts)
        for (const bool details : {true, false})
            if (!known && header_for(sims, counters, details) == line) {
                d.counters = counters;
                d.timing_details = details;
                known = true;
            }
    if (!known)
        fail(ErrorKind::invalid_data, "{}:1: dataset columns differ from this simtune version's ({} simulators found)",
             file.string(), sims.size());
    std::size_t n = 1;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty()) continue;
        const auto cells = split(line, ',');
        if (cells.size() != header.size())
            fail(ErrorKind::invalid_data, "{}:{}: {} columns, the header has {}", file.string(), n, cells.size(),
                 header.size());
        DatasetRow r;
        r.workload = cells[0];
        r.variant = cells[1];
        if (!cells[2].empty())
            for (const auto& kv : split(cells[2], ';')) {
                const auto eq = kv.find('=');
                if (eq == std::string::npos)
                    fail(ErrorKind::invalid_data, "{}:{}: knob '{}' is not name=value", file.string(), n, kv);
                r.knobs[kv.substr(0, eq)] =
                    static_cast<int>(parse_whole(kv.substr(eq + 1), INT_MIN, INT_MAX + 1.0, file, n, "knobs"));
            }
        std::size_t c = 3;
        for (const auto& s : sims) {
            Stats st;
            std::array<double, Stats::feature_count> f{};
            for (std::size_t i = 0; i < d.counters; ++i, ++c) {
                f[i] = parse_double(cells[c], file, n, header[c]);
                if (f[i] < 0)
                    fail(ErrorKind::invalid_data, "{}:{}: column '{}' is negative", file.string(), n, header[c]);
                f[i] = parse_whole(cells[c], 0, 18446744073709551616.0, file, n, header[c]); // 2^64: uint64_t's end
            }
            for (std::size_t i = 0; i < d.counters; ++i) st.counter(i) = static_cast<std::uint64_t>(f[i]);
            r.stats[s] = st;
            r.simulation_seconds[s] = parse_double(cells[c], file, n, header[c]);
            ++c;
        }
        r.seconds = parse_double(cells[c], file, n, "seconds");
        r.median_seconds = parse_double(cells[c + 1], file, n, "median_seconds");
        r.spread = parse_double(cells[c + 2], file, n, "spread");
        if (d.timing_details) {
            r.half_a_seconds = parse_double(cells[c + 3], file, n, "half_a_seconds");
            r.half_b_seconds = parse_double(cells[c + 4], file, n, "half_b_seconds");
            r.native_seconds = parse_double(cells[c + 5], file, n, "native_seconds");
        }
        if (!(r.seconds > 0)) fail(ErrorKind::invalid_data, "{}:{}: seconds must be positive", file.string(), n);
        d.rows.push_back(std::move(r));
    }
    return d;
}

std::vector<std::string> Dataset::simulators() const {
    if (rows.empty()) return {};
    std::vector<std::string> out;
    for (const auto& entry : rows.front().stats) {
        const std::string& s = entry.first; // (clang 15 cannot capture a structured binding)
        if (std::ranges::all_of(rows, [&](const auto& r) { return r.stats.contains(s); })) out.push_back(s);
    }
    return out;
}

std::vector<std::string> Dataset::workloads() const {
    std::vector<std::string> out;
    for (const auto& r : rows)
        if (std::ranges::find(out, r.workload) == out.end()) out.push_back(r.workload);
    return out;
}

TrainingSet Dataset::training_set(std::string_view simulator,
                                  const std::function<bool(const DatasetRow&)>& keep) const {
    TrainingSet t;
    // Absent counters are left out, not fed as zeros a model would learn from.
    for (auto n : Stats::feature_names().first(counters)) t.feature_names.emplace_back(n);
    std::vector<const DatasetRow*> chosen;
    for (const auto& r : rows)
        if (!keep || keep(r)) chosen.push_back(&r);
    t.features.resize(static_cast<Eigen::Index>(chosen.size()), static_cast<Eigen::Index>(counters));
    t.seconds.resize(static_cast<Eigen::Index>(chosen.size()));
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const auto it = chosen[i]->stats.find(std::string(simulator));
        if (it == chosen[i]->stats.end())
            fail(ErrorKind::invalid_data, "row {} has no statistics from simulator '{}'", chosen[i]->key(), simulator);
        for (std::size_t c = 0; c < counters; ++c)
            t.features(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) =
                static_cast<double>(it->second.counter(c));
        t.seconds(static_cast<Eigen::Index>(i)) = chosen[i]->seconds;
        t.groups.push_back(chosen[i]->workload);
    }
    return t;
}

std::map<std::string, double> import_times_csv(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) fail(ErrorKind::io, "{}: cannot open", file.string());
    std::map<std::string, double> out;
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.empty() || (n == 1 && line.starts_with("key"))) continue;
        const auto cells = split(line, ',');
        if (cells.size() < 2) fail(ErrorKind::invalid_data, "{}:{}: expected key,seconds", file.string(), n);
        const double s = parse_double(cells[1], file, n, "seconds");
        if (!(s > 0)) fail(ErrorKind::invalid_data, "{}:{}: seconds must be positive", file.string(), n);
        out[cells[0]] = s;
    }
    return out;
}

namespace {

/// One row to make: where it goes in the file and the candidate that makes it (named by its key).
struct DatasetItem {
    std::string workload, variant;
    std::map<std::string, int> knobs;
    Candidate candidate;
    /// Imported times may name the row by its variant alone (a directory's file stem), not only
    /// by "<workload>/<variant>".
    bool variant_names_time = false;

    [[nodiscard]] std::string key() const { return workload + "/" + variant; }
};

Dataset build_items(std::vector<DatasetItem> items, const Target& target, const DatasetOptions& options,
                    const std::filesystem::path& csv,
                    const std::function<void(const std::string&, const std::string&)>& on_error) {
    if (options.simulators.empty()) fail(ErrorKind::invalid_argument, "a dataset needs at least one simulator");
    Collective* const collective = active_collective(options.collective);
    const bool root = !collective || collective->is_root();
    std::optional<std::map<std::string, double>> imported;
    if (options.times_csv) {
        if (root) imported = import_times_csv(*options.times_csv); // only the root looks times up
    } else if (!target.native && options.native.command_template.empty()) {
        fail(ErrorKind::invalid_argument,
             "target {} is not this machine: give measured times (times_csv) or a command template", target.name);
    }

    Dataset dataset;
    auto sims = options.simulators;
    std::ranges::sort(sims); // the column order of the file (map order)
    std::set<std::string> done;
    if (root) {
        if (std::filesystem::exists(csv)) drop_torn_last_line(csv);
        if (std::filesystem::exists(csv) && std::filesystem::file_size(csv) > 0) dataset = Dataset::load_csv(csv);
        if (dataset.counters != Stats::feature_count)
            fail(ErrorKind::invalid_argument,
                 "{} was written before the {} counters were added to Stats; new rows would not fit its "
                 "columns: use another file (it still loads for training)",
                 csv.string(), Stats::feature_names()[dataset.counters]);
        if (!dataset.rows.empty() && dataset.simulators() != sims)
            fail(ErrorKind::invalid_argument, "{} holds statistics of {}, not of {}: use another file", csv.string(),
                 fmt::join(dataset.simulators(), ","), fmt::join(sims, ","));
        for (const auto& r : dataset.rows) done.insert(r.key());
        if (dataset.rows.empty()) {
            dataset.timing_details = true; // a new file gets this version's columns
            std::ofstream out(csv);
            out << header_for(sims) << '\n';
            if (!out) fail(ErrorKind::io, "cannot write {}", csv.string());
        }
    }
    if (collective) {
        // The root alone reads the file: the rows it already holds reach every rank, so all agree
        // on what is left to do.
        std::string keys = fmt::format("{}", fmt::join(done, "\n"));
        collective->broadcast(keys);
        if (!root && !keys.empty())
            for (auto& k : split(keys, '\n')) done.insert(std::move(k));
    }

    std::vector<DatasetItem> todo;
    for (auto& item : items)
        if (!done.contains(item.key())) todo.push_back(std::move(item));
    const std::size_t chunk = std::max<std::size_t>(options.chunk, 1);
    const auto candidates_of = [&](std::size_t start) {
        std::vector<Candidate> candidates;
        for (std::size_t i = start; i < std::min(start + chunk, todo.size()); ++i)
            candidates.push_back(todo[i].candidate);
        return candidates;
    };
    if (collective) {
        std::vector<Candidate> all;
        for (std::size_t start = 0; start < todo.size(); start += chunk)
            std::ranges::move(candidates_of(start), std::back_inserter(all));
        agree_on_plan(
            collective,
            fmt::format("target={};simulators={};collectors={};max_instructions={};timeout_ms={};chunk={};times_csv={};"
                        "sample={}:{}:{}:{}:{}:{}\n{}",
                        target.name, fmt::join(sims, ","), options.collectors.key(), options.limits.max_instructions,
                        options.limits.timeout.count(), chunk, options.times_csv.has_value(), options.sampling.enabled,
                        options.sampling.period, options.sampling.warmup, options.sampling.window,
                        options.sampling.exact_prefix, options.sampling.warmup_limit, batch_fingerprint(all)),
            "dataset inputs (workloads, variants, seed, simulators, collectors, limits or times_csv)");
    }

    PoolOptions pool_options;
    pool_options.workers = options.workers;
    pool_options.collectors = options.collectors;
    pool_options.build.cache_dir = options.build_cache;
    std::vector<std::unique_ptr<SimulationPool>> pools; // a pool is not movable (atomic state)
    for (const auto& s : sims)
        pools.push_back(std::make_unique<SimulationPool>(target, simulator_factory(s, options.limits, options.sampling),
                                                         pool_options));

    // The root times natively the very binaries the ranks simulated, so they travel with the results.
    ShardedRunOptions sharded;
    sharded.send_binaries = !options.times_csv.has_value();
    std::size_t my_total = 0; // this rank's simulations, for progress
    for (std::size_t start = 0; start < todo.size(); start += chunk) {
        const std::size_t n = std::min(chunk, todo.size() - start);
        my_total += (collective ? Shard{collective->rank(), collective->size()}.size_of(n) : n) * pools.size();
    }
    std::size_t simulated = 0, measured = 0;
    for (std::size_t start = 0; start < todo.size(); start += chunk) {
        // Ranks start a chunk only when the root has timed and saved the previous one.
        if (start > 0) wait_for_root(collective);
        const std::span<const DatasetItem> part(todo.data() + start, std::min(chunk, todo.size() - start));
        const auto candidates = candidates_of(start);
        std::vector<DatasetRow> rows(part.size());
        std::vector<bool> ok(part.size(), true);
        std::vector<std::optional<KernelBinary>> binaries(part.size());
        for (std::size_t p = 0; p < pools.size(); ++p) {
            const auto results = run_sharded(
                *pools[p], candidates, collective,
                [&](CandidateResult&) {
                    if (options.progress) options.progress("build+simulate", ++simulated, my_total);
                },
                sharded);
            for (std::size_t i = 0; i < results.size(); ++i) {
                if (!results[i].ok()) {
                    if (ok[i] && on_error) on_error(part[i].key(), results[i].error);
                    ok[i] = false;
                    continue;
                }
                rows[i].stats[sims[p]] = *results[i].stats;
                rows[i].simulation_seconds[sims[p]] = results[i].simulation_seconds;
                if (results[i].binary) binaries[i] = results[i].binary;
            }
        }
        if (!root) continue;
        std::vector<KernelBinary> to_measure;
        std::vector<std::size_t> which;
        for (std::size_t i = 0; i < part.size(); ++i) {
            rows[i].workload = part[i].workload;
            rows[i].variant = part[i].variant;
            rows[i].knobs = part[i].knobs;
            if (!ok[i]) continue;
            if (imported) {
                auto it = imported->find(part[i].key());
                if (it == imported->end() && part[i].variant_names_time) it = imported->find(part[i].variant);
                if (it == imported->end()) {
                    if (on_error) on_error(part[i].key(), "no measured time in the imported times");
                    ok[i] = false;
                    continue;
                }
                rows[i].seconds = rows[i].median_seconds = it->second;
            } else {
                to_measure.push_back(*binaries[i]);
                which.push_back(i);
            }
        }
        if (!to_measure.empty()) {
            NativeTimingOptions native = options.native;
            const std::size_t base = measured;
            native.progress = [&](std::size_t d, std::size_t) {
                measured = base + d;
                if (options.progress)
                    options.progress("measure", measured, todo.size() * static_cast<std::size_t>(native.passes));
            };
            const auto times = NativeRunner(native).measure(to_measure);
            for (std::size_t j = 0; j < which.size(); ++j) {
                rows[which[j]].seconds = times[j].seconds;
                rows[which[j]].median_seconds = times[j].median_seconds;
                rows[which[j]].spread = times[j].spread;
                const auto halves = half_minima(times[j]);
                rows[which[j]].half_a_seconds = halves.first;
                rows[which[j]].half_b_seconds = halves.second;
                rows[which[j]].native_seconds = times[j].wall_seconds;
            }
        }
        std::string chunk_text;
        for (std::size_t i = 0; i < part.size(); ++i)
            if (ok[i]) {
                chunk_text += row_line(rows[i], sims, Stats::feature_count, dataset.timing_details) + '\n';
                dataset.rows.push_back(std::move(rows[i]));
            }
        append_durably(csv, chunk_text);
    }
    wait_for_root(collective); // every rank leaves when the root has saved the last chunk
    return dataset;
}

} // namespace

Dataset build_dataset(std::span<const Workload> workloads, const Target& target, const DatasetOptions& options,
                      const std::filesystem::path& csv,
                      const std::function<void(const std::string&, const std::string&)>& on_error) {
    std::vector<DatasetItem> items;
    for (const auto& w : workloads)
        for (auto& v : enumerate_variants(w, options.variants_per_workload, options.seed))
            items.push_back({v.workload, v.id, v.knobs, Candidate::from_source(v.key(), v.source, v.buffers, v.flags)});
    return build_items(std::move(items), target, options, csv, on_error);
}

Dataset build_dataset(std::string_view workload, std::span<const Candidate> candidates, const Target& target,
                      const DatasetOptions& options, const std::filesystem::path& csv,
                      const std::function<void(const std::string&, const std::string&)>& on_error) {
    // The names become CSV cells and the key "<workload>/<variant>": no separators of either.
    auto check_name = [](std::string_view what, std::string_view name) {
        if (name.empty() || name.find_first_of(",;\n\r/") != std::string_view::npos)
            fail(ErrorKind::invalid_argument,
                 "{} '{}' cannot name a dataset row: it must be non-empty, without ',', ';', '/' or line breaks", what,
                 name);
    };
    check_name("workload", workload);
    if (candidates.empty()) fail(ErrorKind::invalid_argument, "no candidates for workload '{}'", workload);
    std::set<std::string_view> seen;
    std::vector<DatasetItem> items;
    for (const auto& c : candidates) {
        check_name("candidate", c.name);
        if (!seen.insert(c.name).second) fail(ErrorKind::invalid_argument, "two candidates are named '{}'", c.name);
        DatasetItem item{std::string(workload), c.name, {}, c, true};
        item.candidate.name = item.key();
        items.push_back(std::move(item));
    }
    return build_items(std::move(items), target, options, csv, on_error);
}

} // namespace simtune
