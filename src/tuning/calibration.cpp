#include "simtune/tuning/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <Eigen/Cholesky>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simtune/error.hpp"
#include "simtune/predictors/metrics.hpp"
#include "simtune/util.hpp"

namespace simtune {

namespace {

double no_figure() { return std::numeric_limits<double>::quiet_NaN(); }

/// A fitted correction: log(corrected / predicted) = intercept + weights · x.
struct Correction {
    double intercept = 0;
    Eigen::VectorXd weights;
};

/// Ridge with a free intercept on rows `rows` of `x` against `r` (one value per row listed):
/// minimises mean((r - b - x·w)²) + λ|w|². λ = infinity: the intercept alone.
Correction fit_correction(const Eigen::MatrixXd& x, std::span<const std::size_t> rows, const Eigen::VectorXd& r,
                          double penalty) {
    Correction c;
    c.weights = Eigen::VectorXd::Zero(x.cols());
    c.intercept = r.mean();
    if (std::isinf(penalty) || x.cols() == 0 || rows.size() < 2) return c;
    const auto n = static_cast<Eigen::Index>(rows.size());
    Eigen::MatrixXd xs(n, x.cols());
    for (Eigen::Index i = 0; i < n; ++i)
        xs.row(i) = x.row(static_cast<Eigen::Index>(rows[static_cast<std::size_t>(i)]));
    const Eigen::RowVectorXd mean = xs.colwise().mean();
    xs.rowwise() -= mean;
    const Eigen::VectorXd rc = r.array() - c.intercept;
    // (XᵀX/n + λI) w = Xᵀr/n, in the n×n dual form: n ≤ 20 points, d ~ 25 columns.
    const double nd = static_cast<double>(n);
    Eigen::MatrixXd gram = xs * xs.transpose() / nd;
    gram.diagonal().array() += penalty;
    const Eigen::VectorXd alpha = gram.ldlt().solve(rc / nd);
    c.weights = xs.transpose() * alpha;
    c.intercept -= mean.dot(c.weights);
    return c;
}

double log_shift(const Correction& c, const Eigen::MatrixXd& x, std::size_t row) {
    return c.intercept + (c.weights.size() ? x.row(static_cast<Eigen::Index>(row)).dot(c.weights) : 0.0);
}

} // namespace

Eigen::MatrixXd calibration_features(std::span<const Stats> stats, std::span<const double> predicted) {
    if (stats.size() != predicted.size())
        fail(ErrorKind::invalid_argument, "calibration features: {} statistics for {} predictions", stats.size(),
             predicted.size());
    const auto n = static_cast<Eigen::Index>(stats.size());
    const auto width = static_cast<Eigen::Index>(Stats::feature_count + 1);
    Eigen::MatrixXd raw(n, width);
    for (Eigen::Index i = 0; i < n; ++i) {
        const auto& s = stats[static_cast<std::size_t>(i)];
        for (std::size_t c = 0; c < Stats::feature_count; ++c)
            raw(i, static_cast<Eigen::Index>(c)) = std::log1p(static_cast<double>(s.counter(c)));
        const double p = predicted[static_cast<std::size_t>(i)];
        if (!(p > 0) || !std::isfinite(p)) fail(ErrorKind::invalid_data, "calibration: prediction {} is {}", i, p);
        // Log-ratios of counters are differences of these columns, so a linear correction on them
        // also covers miss rates, bytes per instruction and the like.
        raw(i, width - 1) = std::log(p);
    }
    std::vector<Eigen::Index> kept;
    std::vector<double> means, scales;
    for (Eigen::Index c = 0; c < width; ++c) {
        if (n == 0) break;
        const double mean = raw.col(c).mean();
        const double sd = std::sqrt((raw.col(c).array() - mean).square().mean());
        if (sd > 1e-9) kept.push_back(c), means.push_back(mean), scales.push_back(sd);
    }
    Eigen::MatrixXd out(n, static_cast<Eigen::Index>(kept.size()));
    for (std::size_t k = 0; k < kept.size(); ++k)
        out.col(static_cast<Eigen::Index>(k)) = (raw.col(kept[k]).array() - means[k]) / scales[k];
    return out;
}

std::vector<std::size_t> pick_calibration_candidates(std::span<const double> predicted, const Eigen::MatrixXd& features,
                                                     std::size_t count, std::uint64_t seed, double top_weight) {
    if (!(top_weight >= 1) || !std::isfinite(top_weight))
        fail(ErrorKind::invalid_argument, "calibration picks: top_weight {} must be at least 1", top_weight);
    const std::size_t n = predicted.size();
    if (static_cast<std::size_t>(features.rows()) != n)
        fail(ErrorKind::invalid_argument, "calibration picks: {} feature rows for {} predictions", features.rows(), n);
    count = std::min(count, n);
    if (count == 0) return {};
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) { return predicted[a] < predicted[b]; });

    // Stratum k of the predicted order holds positions [bound[k], bound[k+1]); stratum 0 is just
    // the predicted best. The others split positions 1..n-1 at quantiles (k/(count-1))^top_weight:
    // equal strata for 1, smaller ones near the predicted top for more (where the best must be
    // told apart from its neighbours), each at least one candidate.
    std::vector<std::size_t> bound{0, 1};
    for (std::size_t k = 1; k < count; ++k) {
        const double q = std::pow(static_cast<double>(k) / static_cast<double>(count - 1), top_weight);
        auto b = 1 + static_cast<std::size_t>(std::floor(static_cast<double>(n - 1) * q));
        b = std::max(b, bound.back() + 1);
        b = std::min(b, n - (count - 1 - k));
        bound.push_back(k + 1 == count ? n : b);
    }

    std::vector<std::size_t> picks{order[0]};
    std::vector<double> nearest(n, std::numeric_limits<double>::infinity()); // squared distance to the picked set
    auto add = [&](std::size_t i) {
        for (std::size_t j = 0; j < n; ++j)
            nearest[j] = std::min(
                nearest[j], (features.row(static_cast<Eigen::Index>(j)) - features.row(static_cast<Eigen::Index>(i)))
                                .squaredNorm());
    };
    add(order[0]);
    // The seed decides the order in which the other strata choose (each choice moves the picked set
    // the next is far from); ties in distance go to the faster-predicted candidate.
    std::vector<std::size_t> strata(count - 1);
    std::iota(strata.begin(), strata.end(), std::size_t{1});
    deterministic_shuffle(strata, seed);
    for (const std::size_t k : strata) {
        std::size_t best = order[bound[k]];
        for (std::size_t p = bound[k]; p < bound[k + 1]; ++p)
            if (nearest[order[p]] > nearest[best]) best = order[p];
        picks.push_back(best);
        add(best);
    }
    return picks;
}

Calibration calibrate(const Eigen::MatrixXd& features, std::span<const double> predicted,
                      std::span<const std::size_t> picks, std::span<const double> measured,
                      const CalibrationOptions& options) {
    const std::size_t n = predicted.size();
    if (static_cast<std::size_t>(features.rows()) != n)
        fail(ErrorKind::invalid_argument, "calibration: {} feature rows for {} predictions", features.rows(), n);
    if (picks.size() != measured.size())
        fail(ErrorKind::invalid_argument, "calibration: {} measured times for {} measured candidates", measured.size(),
             picks.size());
    std::set<std::size_t> seen;
    for (const auto i : picks)
        if (i >= n || !seen.insert(i).second)
            fail(ErrorKind::invalid_argument,
                 "calibration: measured candidate {} is out of range or repeated ({} candidates)", i, n);
    for (std::size_t i = 0; i < n; ++i)
        if (!(predicted[i] > 0) || !std::isfinite(predicted[i]))
            fail(ErrorKind::invalid_data, "calibration: prediction {} is {}", i, predicted[i]);
    for (std::size_t k = 0; k < measured.size(); ++k)
        if (!(measured[k] > 0) || !std::isfinite(measured[k]))
            fail(ErrorKind::invalid_data, "calibration: measured time {} of candidate {} must be finite and positive",
                 measured[k], picks[k]);

    Calibration out;
    out.agreement.measured = picks.size();
    out.weights.assign(static_cast<std::size_t>(features.cols()), 0.0);
    out.seconds.assign(predicted.begin(), predicted.end());
    out.corrected = out.seconds;
    if (picks.empty()) return out;

    const auto m = static_cast<Eigen::Index>(picks.size());
    Eigen::VectorXd r(m);
    for (Eigen::Index k = 0; k < m; ++k)
        r(k) =
            std::log(measured[static_cast<std::size_t>(k)]) - std::log(predicted[picks[static_cast<std::size_t>(k)]]);

    // Leave-one-out predictions of log(measured) for a penalty, and their mean squared error.
    auto loo = [&](double penalty, std::vector<double>& log_predictions) {
        double error = 0;
        log_predictions.assign(picks.size(), 0.0);
        for (std::size_t k = 0; k < picks.size(); ++k) {
            std::vector<std::size_t> rows;
            Eigen::VectorXd rk(m - 1);
            for (std::size_t j = 0, t = 0; j < picks.size(); ++j)
                if (j != k)
                    rows.push_back(picks[j]), rk(static_cast<Eigen::Index>(t++)) = r(static_cast<Eigen::Index>(j));
            const auto c = fit_correction(features, rows, rk, penalty);
            const double e = log_shift(c, features, picks[k]) - r(static_cast<Eigen::Index>(k));
            error += e * e;
            log_predictions[k] = std::log(predicted[picks[k]]) + log_shift(c, features, picks[k]);
        }
        return error / static_cast<double>(picks.size());
    };

    double chosen = std::numeric_limits<double>::infinity();
    std::vector<double> chosen_loo;
    if (picks.size() >= 3) {
        double best_error = loo(chosen, chosen_loo);
        if (picks.size() >= options.min_for_slopes) {
            auto penalties = options.penalties;
            std::ranges::sort(penalties, std::greater<>{}); // strongest first: ties keep the stronger
            for (const double penalty : penalties) {
                if (!(penalty > 0))
                    fail(ErrorKind::invalid_argument, "calibration: penalty {} must be positive", penalty);
                std::vector<double> predictions;
                const double error = loo(penalty, predictions);
                if (error < best_error) best_error = error, chosen = penalty, chosen_loo = std::move(predictions);
            }
        }
    }
    const auto c = fit_correction(features, picks, r, chosen);
    out.intercept = c.intercept;
    for (Eigen::Index j = 0; j < c.weights.size(); ++j) out.weights[static_cast<std::size_t>(j)] = c.weights(j);
    for (std::size_t i = 0; i < n; ++i)
        out.seconds[i] = out.corrected[i] = predicted[i] * std::exp(log_shift(c, features, i));
    for (std::size_t k = 0; k < picks.size(); ++k) out.seconds[picks[k]] = measured[k];

    out.agreement.penalty = chosen;
    std::vector<double> model_on_picks;
    for (const auto i : picks) model_on_picks.push_back(predicted[i]);
    if (picks.size() >= 2) out.agreement.spearman_model = spearman(model_on_picks, measured);
    if (!chosen_loo.empty()) out.agreement.spearman_loo = spearman(chosen_loo, measured);
    return out;
}

// ---- on a Tuner's results -----------------------------------------------------------------------

CalibrationMeasure measure_natively(NativeTimingOptions options) {
    return [options = std::move(options)](std::span<const CandidateResult> candidates) {
        std::vector<KernelBinary> binaries;
        for (const auto& c : candidates) {
            if (!c.binary) fail(ErrorKind::invalid_argument, "candidate '{}' has no binary to time", c.name);
            binaries.push_back(*c.binary);
        }
        std::vector<double> seconds;
        for (const auto& t : NativeRunner(options).measure(binaries)) seconds.push_back(t.seconds);
        return seconds;
    };
}

CalibrationMeasure measure_from_times(std::map<std::string, double> times, std::string origin, std::string workload) {
    return [times = std::move(times), origin = std::move(origin),
            workload = std::move(workload)](std::span<const CandidateResult> candidates) {
        std::vector<double> seconds;
        std::vector<std::string> missing;
        for (const auto& c : candidates) {
            auto it = times.find(c.name);
            if (it == times.end() && !workload.empty()) it = times.find(workload + "/" + c.name);
            if (it == times.end()) missing.push_back(c.name);
            else seconds.push_back(it->second);
        }
        if (!missing.empty()) {
            std::vector<std::string> known;
            for (const auto& [key, _] : times) {
                if (known.size() == 8) {
                    known.push_back("...");
                    break;
                }
                known.push_back(key);
            }
            fail(ErrorKind::invalid_data,
                 "{} has no time for {} of the {} candidates to calibrate on: {} (its keys: {})", origin,
                 missing.size(), candidates.size(), fmt::join(missing, ", "),
                 known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", ")));
        }
        return seconds;
    };
}

namespace {

struct Prepared {
    std::vector<std::size_t> good; ///< indices of successful results
    std::vector<double> predicted;
    Eigen::MatrixXd features;
    std::vector<std::size_t> picks; ///< into good
};

Prepared prepare(std::span<const CandidateResult> ranked, const CalibrationOptions& options) {
    Prepared p;
    std::vector<Stats> stats;
    for (std::size_t i = 0; i < ranked.size(); ++i)
        if (ranked[i].ok() && ranked[i].stats) {
            p.good.push_back(i);
            p.predicted.push_back(ranked[i].predicted_seconds);
            stats.push_back(*ranked[i].stats);
        }
    if (p.good.size() < 2)
        fail(ErrorKind::invalid_argument, "calibration needs at least 2 ranked candidates, {} succeeded",
             p.good.size());
    p.features = calibration_features(stats, p.predicted);
    p.picks = pick_calibration_candidates(p.predicted, p.features, options.count, options.seed, options.top_weight);
    return p;
}

} // namespace

std::vector<std::string> calibration_picks(std::span<const CandidateResult> ranked, const CalibrationOptions& options) {
    if (options.count == 0) return {};
    const auto p = prepare(ranked, options);
    std::vector<std::string> names;
    for (const auto k : p.picks) names.push_back(ranked[p.good[k]].name);
    return names;
}

CalibratedRanking calibrate_ranking(std::vector<CandidateResult> ranked, const CalibrationOptions& options,
                                    const CalibrationMeasure& measure) {
    CalibratedRanking out;
    if (options.count == 0) {
        for (const auto& r : ranked) out.calibrated_seconds.push_back(r.ok() ? r.predicted_seconds : no_figure());
        out.ranking = std::move(ranked);
        return out;
    }
    const auto p = prepare(ranked, options);
    std::vector<CandidateResult> to_measure;
    for (const auto k : p.picks) to_measure.push_back(ranked[p.good[k]]);
    const auto measured = measure(to_measure);
    if (measured.size() != to_measure.size())
        fail(ErrorKind::invalid_argument, "calibration: {} times measured for {} candidates", measured.size(),
             to_measure.size());
    const auto c = calibrate(p.features, p.predicted, p.picks, measured, options);
    out.agreement = c.agreement;
    for (std::size_t k = 0; k < p.picks.size(); ++k) {
        ranked[p.good[p.picks[k]]].measured_seconds = measured[k];
        out.picks.push_back(ranked[p.good[p.picks[k]]].name);
    }

    std::vector<std::size_t> order(p.good.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) { return c.seconds[a] < c.seconds[b]; });
    std::vector<bool> is_good(ranked.size(), false);
    for (const auto i : p.good) is_good[i] = true;
    for (const auto k : order) {
        out.ranking.push_back(std::move(ranked[p.good[k]]));
        out.calibrated_seconds.push_back(c.seconds[k]);
    }
    for (std::size_t i = 0; i < ranked.size(); ++i)
        if (!is_good[i]) {
            out.ranking.push_back(std::move(ranked[i]));
            out.calibrated_seconds.push_back(no_figure());
        }
    return out;
}

} // namespace simtune
