#include "simtune/tuning/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simtune/util.hpp"
#include "simtune/error.hpp"
#include "simtune/predictors/any_predictor.hpp"
#include "simtune/predictors/analytic_model.hpp"
#include "simtune/predictors/features.hpp"
#include "simtune/tuning/near_tie_gate.hpp"

namespace simtune {

namespace {

AnyPredictor make_single_model(const std::string& kind, const ExperimentOptions& o, const TrainingSet& train);

/// N of a model-kind suffix "<prefix>N" (e.g. "-b3": 3), or nothing if `variant` is not one.
std::optional<int> numeric_suffix(std::string_view variant, std::string_view prefix) {
    const auto digits = variant.substr(std::min(variant.size(), prefix.size()));
    if (!variant.starts_with(prefix) || digits.empty() || digits.size() > 6 ||
        !std::ranges::all_of(digits, [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return std::stoi(std::string(digits));
}

/// A model of `kind`: one of experiment_model_kinds(), or "a+b+...", an ensemble of such models
/// (the weighted geometric mean of their predictions). A member named k times is one member of
/// weight k: "estimate+estimate+gbt-rel-rank-b3" gives the estimate two thirds of the vote.
AnyPredictor make_model(const std::string& kind, const ExperimentOptions& o, const TrainingSet& train) {
    if (kind.find('+') == std::string::npos) return make_single_model(kind, o, train);
    const auto all_names = split_list(kind, '+');
    if (all_names.size() != static_cast<std::size_t>(std::ranges::count(kind, '+')) + 1)
        fail(ErrorKind::invalid_argument, "ensemble '{}': a member is empty (a '+' at an end or next to another)",
             kind);
    std::vector<std::string> names;
    std::vector<double> weights;
    for (const auto& name : all_names) {
        const auto same = std::ranges::find(names, name);
        if (same != names.end()) {
            weights[static_cast<std::size_t>(same - names.begin())] += 1;
        } else {
            names.push_back(name);
            weights.push_back(1);
        }
    }
    std::vector<Ensemble::Member> members;
    for (const auto& name : names) {
        auto member = make_single_model(name, o, train).model();
        if (std::holds_alternative<RidgeRegressor>(member))
            members.emplace_back(std::get<RidgeRegressor>(std::move(member)));
        else if (std::holds_alternative<GradientBoostedTrees>(member))
            members.emplace_back(std::get<GradientBoostedTrees>(std::move(member)));
        else fail(ErrorKind::invalid_argument, "ensemble '{}': members cannot be ensembles", kind);
    }
    return Ensemble(std::move(members), std::move(weights));
}

AnyPredictor make_single_model(const std::string& kind, const ExperimentOptions& o, const TrainingSet& train) {
    auto gbt = [&](GbtObjective objective) {
        GbtOptions g;
        g.rounds = o.gbt_rounds;
        g.max_depth = o.gbt_depth;
        g.seed = o.seed;
        g.objective = objective;
        return g;
    };
    if (kind == "ridge") return RidgeRegressor();
    // An estimate as a model: a relative ridge whose penalty leaves only its intercept (the scale
    // from cycles to seconds), so it ranks exactly as the anchor does. As an ensemble member it is
    // an untrained, physical opinion beside the learned ones.
    auto untrained_estimate = [](std::string anchor) {
        RidgeOptions r;
        r.features.raw_counters = false;
        r.features.anchor = std::move(anchor);
        r.penalties = {1e12};
        return RidgeRegressor(r);
    };
    if (kind == "estimate") return untrained_estimate(cycle_estimate(train.feature_names));
    if (kind == "estimate-memory") {
        // From the dataflow walk with memory (memory_cycle_estimate): a second physical opinion
        // whose errors are not the estimate's (it overlaps misses; the estimate adds them).
        auto anchor = memory_cycle_estimate(train.feature_names);
        if (anchor.empty())
            fail(ErrorKind::invalid_argument,
                 "model estimate-memory needs mca_cycles and dataflow_memory_cycles in the data");
        return untrained_estimate(std::move(anchor));
    }
    if (kind == "gbt") return GradientBoostedTrees(gbt(GbtObjective::squared));
    if (kind == "gbt-m") {
        auto g = gbt(GbtObjective::squared);
        g.monotone = physical_monotone_constraints();
        return GradientBoostedTrees(g);
    }
    if (kind == "gbt-rank") return GradientBoostedTrees(gbt(GbtObjective::pairwise));
    // Relative models: size-free features only, time relative to an anchor column, and (trees)
    // only the differences within each workload learned.
    if (kind == "ridge-rel") {
        RidgeOptions r;
        r.features.raw_counters = false;
        r.features.anchor = o.anchor.empty() ? relative_anchor(train) : o.anchor;
        return RidgeRegressor(r);
    }
    if (kind == "gbt-rel" || kind.starts_with("gbt-rel-rank")) {
        auto g = gbt(kind == "gbt-rel" ? GbtObjective::squared : GbtObjective::pairwise);
        g.features.raw_counters = false;
        g.features.anchor = o.anchor.empty() ? relative_anchor(train) : o.anchor;
        g.center_groups = true;
        const auto variant = kind.substr(std::min(kind.size(), std::string_view("gbt-rel-rank").size()));
        if (kind == "gbt-rel" || variant.empty()) return GradientBoostedTrees(g);
        // -w: pairs weighted by how far apart their times are against a 5 % resolution (closer
        // pairs are mostly the measurement's noise).
        if (variant == "-w") {
            g.pairwise_resolution = std::log(1.05);
            return GradientBoostedTrees(g);
        }
        // -pN: N sampled partners per row and round instead of 4: a gradient nearer the full
        // pairwise one, so a model that depends less on which pairs the seed drew.
        if (const auto n = numeric_suffix(variant, "-p")) {
            g.pairs_per_row = *n;
            return GradientBoostedTrees(g);
        }
        // -bN: a bag of N, seeds seed .. seed + N - 1 (GbtOptions::bags).
        if (const auto n = numeric_suffix(variant, "-b")) {
            g.bags = *n;
            return GradientBoostedTrees(g);
        }
        // -m: monotone in what physically costs time (physical_monotone_constraints).
        if (variant == "-m") {
            g.monotone = physical_monotone_constraints();
            return GradientBoostedTrees(g);
        }
    }
    std::vector<std::string> known;
    for (const auto& [name, what] : experiment_model_kinds()) known.push_back(name);
    fail(ErrorKind::invalid_argument, "unknown model '{}' (known: {})", kind, fmt::join(known, ", "));
}

/// Fits `p` on `t`; a non-empty `target` is recorded as what the model is for.
void fit(AnyPredictor& p, const TrainingSet& t, const std::string& target = {}) {
    auto model = p.model();
    std::visit(
        [&](auto& m) {
            if (!target.empty()) m.set_target(target);
            m.fit(t);
        },
        model);
    p = std::visit([](auto& m) { return AnyPredictor(std::move(m)); }, model);
}

/// `t` without the columns whose names start with `prefixes` (one prefix, or several joined by '|':
/// a feature group, e.g. "dtlb_|stlb_|l1d_stream|l2_stream").
TrainingSet without_columns(const TrainingSet& t, const std::string& prefixes) {
    const auto group = split_list(prefixes, '|');
    TrainingSet out;
    std::vector<Eigen::Index> kept;
    for (std::size_t c = 0; c < t.feature_names.size(); ++c)
        if (std::ranges::none_of(group, [&](const std::string& p) { return t.feature_names[c].starts_with(p); })) {
            kept.push_back(static_cast<Eigen::Index>(c));
            out.feature_names.push_back(t.feature_names[c]);
        }
    out.features.resize(t.features.rows(), static_cast<Eigen::Index>(kept.size()));
    for (std::size_t j = 0; j < kept.size(); ++j)
        out.features.col(static_cast<Eigen::Index>(j)) = t.features.col(kept[j]);
    out.seconds = t.seconds;
    out.groups = t.groups;
    return out;
}

ExperimentResult result_of(std::vector<double> predicted, const TrainingSet& test) {
    ExperimentResult r;
    r.predicted = std::move(predicted);
    r.measured.assign(test.seconds.data(), test.seconds.data() + test.seconds.size());
    r.metrics = ranking_metrics(r.predicted, r.measured);
    return r;
}

/// An untrained ranking of `test` (rows of `rows`, in the same order), or nothing where the data
/// lacks what it needs.
std::optional<ExperimentResult> baseline(const std::string& kind, const ExperimentOptions& o, const TrainingSet& test,
                                         const std::vector<const DatasetRow*>& rows, const std::string& simulator) {
    auto column = [&](std::string_view name) -> std::optional<std::vector<double>> {
        const auto it = std::ranges::find(test.feature_names, name);
        if (it == test.feature_names.end()) return std::nullopt;
        const auto c = it - test.feature_names.begin();
        std::vector<double> v(static_cast<std::size_t>(test.features.rows()));
        for (Eigen::Index r = 0; r < test.features.rows(); ++r) v[static_cast<std::size_t>(r)] = test.features(r, c);
        return v;
    };
    std::optional<std::vector<double>> predicted;
    bool in_seconds = false;
    if (kind == "insn-count") predicted = column("instructions");
    else if (kind == "mca") predicted = column("mca_cycles");
    else if (kind == "cycle-estimate" || kind == "memory-estimate") {
        // The cycle estimate (features.hpp) with nominal stall costs: no training at all. (The
        // model kind "estimate" ranks the same; it exists to be an ensemble member.) The memory
        // estimate: the same from the dataflow walk with memory, where the data has it.
        const std::string anchor =
            kind == "cycle-estimate" ? cycle_estimate(test.feature_names) : memory_cycle_estimate(test.feature_names);
        if (anchor.empty()) return std::nullopt;
        predicted = anchor_values(anchor, test);
    } else if (kind == "analytic") {
        const auto core = core_model_for(target_by_name(o.target));
        predicted.emplace();
        for (const auto* r : rows) predicted->push_back(analytic_breakdown(r->stats.at(simulator), core).seconds);
        in_seconds = true;
    } else
        fail(ErrorKind::invalid_argument,
             "unknown baseline '{}' (insn-count, analytic, mca, cycle-estimate, memory-estimate)", kind);
    if (!predicted) return std::nullopt;
    if (kind == "mca" && std::ranges::all_of(*predicted, [](double v) { return v == 0; })) return std::nullopt;
    auto r = result_of(std::move(*predicted), test);
    if (!in_seconds) r.metrics.mape = std::numeric_limits<double>::quiet_NaN(); // counts, not seconds
    r.model = kind;
    r.baseline = true;
    return r;
}

} // namespace

const std::vector<std::pair<std::string, std::string>>& experiment_model_kinds() {
    static const std::vector<std::pair<std::string, std::string>> kinds{
        {"ridge", "ridge regression on log counters and ratios, log(seconds)"},
        {"estimate",
         "the cycle estimate with nominal stall costs (features.hpp), scaled to seconds; nothing else learned"},
        {"estimate-memory",
         "the estimate from the dataflow walk with memory (memory_cycle_estimate), scaled to seconds"},
        {"gbt", "gradient-boosted trees on counters and ratios, log(seconds)"},
        {"gbt-rank", "gradient-boosted trees, pairwise order within each workload"},
        {"ridge-rel", "ridge on size-free ratios, log(seconds / anchor)"},
        {"gbt-rel", "trees on size-free ratios, log(seconds / anchor), differences within workloads"},
        {"gbt-rel-rank", "trees on size-free ratios, pairwise order of log(seconds / anchor)"},
        {"gbt-rel-rank-w", "gbt-rel-rank with pairs weighted by their time difference (5 % resolution)"},
        {"gbt-m", "gbt, monotone in what physically costs time (stall events up, prefetched shares down)"},
        {"gbt-rel-rank-m", "gbt-rel-rank, monotone in what physically costs time"},
        {"gbt-rel-rank-b3", "gbt-rel-rank, the mean of 3 trained with seeds seed, seed + 1, seed + 2 (-bN: N)"},
        {"gbt-rel-rank-p16", "gbt-rel-rank with 16 sampled partners per row and round (-pN: N; default 4)"},
    };
    return kinds;
}

AnyPredictor train_model(const std::string& kind, const TrainingSet& data, const ExperimentOptions& options,
                         const std::string& target) {
    auto p = make_model(kind, options, data);
    fit(p, data, target);
    return p;
}

std::vector<ExperimentResult> run_experiment(const Dataset& dataset, const ExperimentOptions& options) {
    if (dataset.rows.empty()) fail(ErrorKind::invalid_data, "the dataset is empty");
    std::vector<ExperimentResult> out;
    const auto workloads = dataset.workloads();
    std::map<std::string, double> resolution; // per workload, NaN: unknown
    for (const auto& w : workloads) resolution[w] = workload_resolution(dataset, w).median_relative_diff;
    auto family = [&](const std::string& w) { return options.family_of ? options.family_of(w) : w; };
    std::set<std::string> families;
    for (const auto& w : workloads) families.insert(family(w));

    // Ranks `test` by every baseline and by every model kind trained on `train`.
    auto judge = [&](const char* protocol, const std::string& w, const std::string& sim, const TrainingSet& train,
                     const TrainingSet& test, const std::function<bool(const DatasetRow&)>& is_test) {
        std::vector<const DatasetRow*> test_rows;
        for (const auto& r : dataset.rows)
            if (is_test(r)) test_rows.push_back(&r);
        const std::size_t first = out.size();
        for (const auto& kind : options.baselines)
            if (auto r = baseline(kind, options, test, test_rows, sim)) out.push_back(std::move(*r));
        // The cycle estimate of the test rows, for the near-tie gate (empty without MCA's cycles).
        std::vector<double> estimate;
        if (!options.near_tie_windows.empty() &&
            std::ranges::find(test.feature_names, "mca_cycles") != test.feature_names.end())
            estimate = anchor_values(cycle_estimate(test.feature_names), test);
        auto run_model = [&](const std::string& kind, const std::string& name, const TrainingSet& tr,
                             const TrainingSet& te, bool gate) {
            try {
                auto p = make_model(kind, options, tr);
                fit(p, tr);
                const Eigen::VectorXd predicted = p.predict(te.features);
                std::vector<double> seconds(predicted.data(), predicted.data() + predicted.size());
                if (gate && !estimate.empty())
                    for (const double within : options.near_tie_windows) {
                        // The gated ranking, as positions: a ranking, not times (no MAPE).
                        auto g = result_of(near_tie_ranks(seconds, estimate, within), te);
                        g.metrics.mape = std::numeric_limits<double>::quiet_NaN();
                        g.model = fmt::format("{} gated {:g}%", name, 100 * within);
                        out.push_back(std::move(g));
                    }
                auto r = result_of(std::move(seconds), te);
                r.model = name;
                out.push_back(std::move(r));
            } catch (const Error& e) {
                fail(e.kind(), "experiment: model '{}' on workload '{}' ({}, {} statistics): {}", name, w, protocol,
                     sim, e.what());
            }
        };
        for (const auto& kind : options.models) {
            run_model(kind, kind, train, test, true);
            for (const auto& prefix : options.ablations) {
                auto tr = without_columns(train, prefix);
                if (tr.feature_names.size() == train.feature_names.size()) continue;
                run_model(kind, fmt::format("{} w/o {}*", kind, prefix), tr, without_columns(test, prefix), false);
            }
        }
        for (std::size_t i = first; i < out.size(); ++i) {
            auto& r = out[i];
            for (const auto* row : test_rows) r.variants.push_back(row->variant);
            r.resolution = resolution.at(w);
            r.ties = options.ties_at_resolution && std::isfinite(r.resolution);
            if (r.ties) { // the true best is every variant within the resolution of it
                r.metrics.top_k_percent = top_k_percent(r.predicted, r.measured, r.resolution);
                r.metrics.regret = regret(r.predicted, r.measured, r.resolution);
            }
        }
        const ExperimentResult* insn = nullptr;
        for (std::size_t i = first; i < out.size(); ++i)
            if (out[i].model == "insn-count") insn = &out[i];
        for (std::size_t i = first; i < out.size(); ++i) {
            auto& r = out[i];
            r.protocol = protocol;
            r.workload = w;
            r.family = family(w);
            r.simulator = sim;
            if (insn && !r.baseline)
                r.loses_to_insn_count =
                    r.metrics.regret > insn->metrics.regret && r.metrics.spearman < insn->metrics.spearman;
        }
    };
    for (const auto& sim : dataset.simulators()) {
        for (const auto& w : workloads) {
            // within: a seeded random split of this workload's rows.
            std::vector<std::string> keys;
            for (const auto& r : dataset.rows)
                if (r.workload == w) keys.push_back(r.key());
            deterministic_shuffle(keys, fnv1a64(w, options.seed)); // one split per workload
            const auto n_train = static_cast<std::size_t>(static_cast<double>(keys.size()) * options.train_fraction);
            std::set<std::string> train_keys(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(n_train));
            auto wanted = [&](std::string_view protocol) {
                return std::ranges::find(options.protocols, protocol) != options.protocols.end();
            };
            if (wanted("within") && n_train >= 4 && keys.size() - n_train >= 2) {
                const auto is_test = [&](const DatasetRow& r) {
                    return r.workload == w && !train_keys.contains(r.key());
                };
                const auto train =
                    dataset.training_set(sim, [&](const DatasetRow& r) { return train_keys.contains(r.key()); });
                judge("within", w, sim, train, dataset.training_set(sim, is_test), is_test);
            }
            if (wanted("lofo") && families.size() >= 2) {
                const auto held_out = family(w);
                const auto is_test = [&](const DatasetRow& r) { return r.workload == w; };
                const auto train = dataset.training_set(sim, [&](const DatasetRow& r) {
                    return family(r.workload) != held_out && (!options.trainable || options.trainable(r));
                });
                judge("lofo", w, sim, train, dataset.training_set(sim, is_test), is_test);
            }
        }
    }
    return out;
}

HalfAgreement workload_resolution(const Dataset& dataset, const std::string& workload) {
    std::vector<std::pair<double, double>> halves;
    for (const auto& r : dataset.rows)
        if (r.workload == workload) halves.emplace_back(r.half_a_seconds, r.half_b_seconds);
    return half_agreement(std::span<const std::pair<double, double>>(halves));
}

std::string experiment_table(const std::vector<ExperimentResult>& results) {
    auto number = [](double v, int digits) {
        return std::isnan(v) ? std::string("–") : fmt::format("{:.{}f}", v, digits);
    };
    // The resolution each workload's measurement reached, and whether top-k and regret used it.
    std::map<std::string, std::pair<double, bool>> resolutions;
    for (const auto& r : results) resolutions[r.workload] = {r.resolution, r.ties};
    std::string t = "Measured resolution per workload (split-half median difference of the native times; top-k % and "
                    "regret count every variant within it of the true best as a true best):";
    for (const auto& [w, res] : resolutions)
        t += fmt::format(" {} {}{};", w,
                         std::isnan(res.first) ? std::string("unknown") : fmt::format("{:.1f} %", 100 * res.first),
                         res.second ? "" : " (not used)");
    t.back() = '\n';
    t += "\n| protocol | simulator | model | family | workload | ranked | resolution % | true best in top-k % | regret "
         "% | Spearman | Kendall | MAPE % |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : results)
        t += fmt::format("| {} | {} | {}{} | {} | {} | {} | {} | {:.1f} | {:.1f} | {} | {} | {} |\n", r.protocol,
                         r.simulator, r.baseline ? "(baseline) " : "", r.model, r.family, r.workload,
                         r.metrics.candidates, r.ties ? number(100 * r.resolution, 1) : std::string("–"),
                         r.metrics.top_k_percent, 100 * r.metrics.regret, number(r.metrics.spearman, 3),
                         number(r.metrics.kendall, 3),
                         number(r.metrics.mape, 1) + (r.loses_to_insn_count ? " ⚠ below insn-count" : ""));
    std::map<std::tuple<std::string, std::string, bool, std::string>, std::vector<const ExperimentResult*>> groups;
    for (const auto& r : results) groups[{r.protocol, r.simulator, !r.baseline, r.model}].push_back(&r);
    t += "\n| protocol | simulator | model | workloads | worst top-k % | mean top-k % | worst regret % | mean regret % "
         "| mean Spearman | below insn-count |\n"
         "|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& [key, rs] : groups) {
        double worst = 0, top = 0, worst_regret = 0, regret = 0, rho = 0;
        std::size_t rho_n = 0, losses = 0;
        for (const auto* r : rs) {
            worst = std::max(worst, r->metrics.top_k_percent);
            top += r->metrics.top_k_percent;
            worst_regret = std::max(worst_regret, r->metrics.regret);
            regret += r->metrics.regret;
            if (!std::isnan(r->metrics.spearman)) rho += r->metrics.spearman, ++rho_n;
            losses += r->loses_to_insn_count ? 1 : 0;
        }
        const double n = static_cast<double>(rs.size());
        t += fmt::format("| {} | {} | {}{} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {} | {} |\n", std::get<0>(key),
                         std::get<1>(key), std::get<2>(key) ? "" : "(baseline) ", std::get<3>(key), rs.size(), worst,
                         top / n, 100 * worst_regret, 100 * regret / n,
                         number(rho_n ? rho / static_cast<double>(rho_n) : std::nan(""), 3),
                         std::get<2>(key) ? fmt::format("{} of {}", losses, rs.size()) : std::string("–"));
    }
    return t;
}

void save_experiment_points(const std::vector<ExperimentResult>& results, const std::filesystem::path& csv) {
    std::ofstream out(csv);
    out << "protocol,family,workload,simulator,model,predicted,measured\n";
    for (const auto& r : results)
        for (std::size_t i = 0; i < r.predicted.size(); ++i)
            out << fmt::format("{},{},{},{},{},{:.9g},{:.9g}\n", r.protocol, r.family, r.workload, r.simulator, r.model,
                               r.predicted[i], r.measured[i]);
    if (!out) fail(ErrorKind::io, "cannot write {}", csv.string());
}

} // namespace simtune
