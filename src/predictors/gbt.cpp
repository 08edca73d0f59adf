// Gradient-boosted trees: quantile binning, level-wise histogram tree growth on a thread pool,
// squared and pairwise objectives, early stopping, flat complete-tree prediction, model files.
#include "simtune/predictors/gbt.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <thread>

#include "simtune/predictors/groups.hpp"
#include "simtune/predictors/model_file.hpp"
#include "simtune/util.hpp"
#include "task_pool.hpp"

namespace simtune {

namespace {

constexpr int max_supported_depth = 12;
constexpr double infinity = std::numeric_limits<double>::infinity();

void check_options(const GbtOptions& o) {
    if (o.rounds < 1) fail(ErrorKind::invalid_argument, "gbt: rounds must be >= 1, got {}", o.rounds);
    if (o.max_depth < 1 || o.max_depth > max_supported_depth)
        fail(ErrorKind::invalid_argument, "gbt: max_depth must be in 1..{}, got {}", max_supported_depth, o.max_depth);
    if (!(o.learning_rate > 0) || std::isinf(o.learning_rate))
        fail(ErrorKind::invalid_argument, "gbt: learning_rate must be positive, got {}", o.learning_rate);
    if (o.max_bins < 2 || o.max_bins > 256) fail(ErrorKind::invalid_argument, "gbt: max_bins must be in 2..256, got {}", o.max_bins);
    if (!(o.row_subsample > 0 && o.row_subsample <= 1))
        fail(ErrorKind::invalid_argument, "gbt: row_subsample must be in (0, 1], got {}", o.row_subsample);
    if (!(o.col_subsample > 0 && o.col_subsample <= 1))
        fail(ErrorKind::invalid_argument, "gbt: col_subsample must be in (0, 1], got {}", o.col_subsample);
    if (!(o.min_child_weight >= 0)) fail(ErrorKind::invalid_argument, "gbt: min_child_weight must be >= 0, got {}", o.min_child_weight);
    if (!(o.l2 >= 0)) fail(ErrorKind::invalid_argument, "gbt: l2 must be >= 0, got {}", o.l2);
    if (!(o.min_split_gain >= 0)) fail(ErrorKind::invalid_argument, "gbt: min_split_gain must be >= 0, got {}", o.min_split_gain);
    if (o.early_stopping_rounds < 0)
        fail(ErrorKind::invalid_argument, "gbt: early_stopping_rounds must be >= 0, got {}", o.early_stopping_rounds);
    if (o.early_stopping_rounds > 0 && !(o.validation_fraction > 0 && o.validation_fraction < 1))
        fail(ErrorKind::invalid_argument, "gbt: validation_fraction must be in (0, 1) for early stopping, got {}",
            o.validation_fraction);
    if (o.pairs_per_row < 1) fail(ErrorKind::invalid_argument, "gbt: pairs_per_row must be >= 1, got {}", o.pairs_per_row);
    if (!(o.pairwise_sigma > 0)) fail(ErrorKind::invalid_argument, "gbt: pairwise_sigma must be positive, got {}", o.pairwise_sigma);
    if (!(o.pairwise_resolution >= 0) || std::isinf(o.pairwise_resolution))
        fail(ErrorKind::invalid_argument, "gbt: pairwise_resolution must be finite and >= 0, got {}", o.pairwise_resolution);
}

std::string_view to_string(GbtObjective o) { return o == GbtObjective::squared ? "squared" : "pairwise"; }

struct GradientPair {
    double g = 0, h = 0;
};

struct SplitCandidate {
    double gain = -infinity;
    int bin = -1;
    double left_g = 0, left_h = 0;
};

/// Numerically stable logistic function.
double sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
}

/// log(1 + exp(x)) without overflow.
double softplus(double x) { return x > 30 ? x : std::log1p(std::exp(x)); }

} // namespace

/// Everything fit() needs while training; the model keeps only the flat trees.
struct GbtTrainer {
    const GbtOptions& o;
    GradientBoostedTrees& model;
    detail::TaskPool pool;
    std::size_t features = 0;
    // Training rows.
    std::size_t n = 0;
    std::vector<std::uint8_t> bins; ///< features × n, column-major
    std::vector<double> y, score;
    std::vector<GradientPair> gh;
    std::vector<std::vector<std::int32_t>> groups; ///< training row ids of each workload
    // Validation rows (early stopping).
    std::size_t nv = 0;
    std::vector<std::uint8_t> valid_bins;
    std::vector<double> valid_y, valid_score;
    std::vector<std::pair<std::int32_t, std::int32_t>> valid_pairs; ///< (faster, slower)
    // Binning.
    std::vector<std::vector<double>> cuts; ///< bin(x) = number of cuts <= x; bin <= b <=> x < cuts[b]
    std::vector<std::size_t> bin_offset;   ///< start of each feature in a node histogram
    std::size_t total_bins = 0;

    GbtTrainer(const GbtOptions& options, GradientBoostedTrees& m, unsigned threads)
        : o(options), model(m), pool(threads) {}

    void make_cuts(const Eigen::MatrixXd& z, const std::vector<Eigen::Index>& train_rows) {
        cuts.assign(features, {});
        bin_offset.assign(features, 0);
        pool.run(features, [&](std::size_t f) {
            std::vector<double> v;
            v.reserve(train_rows.size());
            for (auto r : train_rows) v.push_back(z(r, static_cast<Eigen::Index>(f)));
            std::sort(v.begin(), v.end());
            std::vector<double> distinct;
            std::unique_copy(v.begin(), v.end(), std::back_inserter(distinct));
            auto& c = cuts[f];
            if (distinct.size() <= static_cast<std::size_t>(o.max_bins)) {
                for (std::size_t i = 1; i < distinct.size(); ++i)
                    c.push_back(distinct[i - 1] + (distinct[i] - distinct[i - 1]) / 2);
            } else {
                // Quantile cuts: each bin holds about n / max_bins rows (ties permitting).
                for (int k = 1; k < o.max_bins; ++k) {
                    const double q = v[v.size() * static_cast<std::size_t>(k) / static_cast<std::size_t>(o.max_bins)];
                    if (q > v.front() && (c.empty() || q > c.back())) c.push_back(q);
                }
            }
        });
        total_bins = 0;
        for (std::size_t f = 0; f < features; ++f) {
            bin_offset[f] = total_bins;
            total_bins += cuts[f].size() + 1;
        }
    }

    std::vector<std::uint8_t> bin_rows(const Eigen::MatrixXd& z, const std::vector<Eigen::Index>& rows) {
        std::vector<std::uint8_t> out(features * rows.size());
        pool.run(features, [&](std::size_t f) {
            const auto& c = cuts[f];
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const double x = z(rows[i], static_cast<Eigen::Index>(f));
                out[f * rows.size() + i] =
                    static_cast<std::uint8_t>(std::upper_bound(c.begin(), c.end(), x) - c.begin());
            }
        });
        return out;
    }

    void compute_gradients(int round) {
        if (o.objective == GbtObjective::squared) {
            for (std::size_t i = 0; i < n; ++i) gh[i] = {score[i] - y[i], 1.0};
            return;
        }
        std::fill(gh.begin(), gh.end(), GradientPair{});
        std::mt19937_64 rng(o.seed ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(round + 1)));
        const double sigma = o.pairwise_sigma;
        for (const auto& members : groups) {
            const auto m = members.size();
            if (m < 2) continue;
            for (auto i : members)
                for (int k = 0; k < o.pairs_per_row; ++k) {
                    const auto j = members[rng() % m];
                    if (y[static_cast<std::size_t>(j)] == y[static_cast<std::size_t>(i)]) continue;
                    auto a = static_cast<std::size_t>(i), b = static_cast<std::size_t>(j);
                    if (y[a] > y[b]) std::swap(a, b); // a is the faster
                    const double w = o.pairwise_resolution > 0 ? std::min(1.0, (y[b] - y[a]) / o.pairwise_resolution) : 1.0;
                    const double p = sigmoid(sigma * (score[a] - score[b]));
                    const double hess = std::max(sigma * sigma * p * (1 - p), 1e-16);
                    gh[a].g += w * sigma * p;
                    gh[b].g -= w * sigma * p;
                    gh[a].h += w * hess;
                    gh[b].h += w * hess;
                }
        }
    }

    double validation_loss() const {
        if (o.objective == GbtObjective::squared) {
            double s = 0;
            for (std::size_t i = 0; i < nv; ++i) s += (valid_score[i] - valid_y[i]) * (valid_score[i] - valid_y[i]);
            return std::sqrt(s / static_cast<double>(nv));
        }
        double s = 0;
        for (auto [a, b] : valid_pairs)
            s += softplus(o.pairwise_sigma * (valid_score[static_cast<std::size_t>(a)] -
                                              valid_score[static_cast<std::size_t>(b)]));
        return valid_pairs.empty() ? 0.0 : s / static_cast<double>(valid_pairs.size());
    }

    /// Grows one tree on the current gradients and appends it to the model; returns the gain of
    /// each feature's splits.
    std::vector<double> grow_tree(int round) {
        const int depth = o.max_depth;
        const std::size_t internal = (std::size_t{1} << depth) - 1;
        std::vector<std::int32_t> split_feature(internal, 0);
        std::vector<std::uint8_t> split_bin(internal, 255); // 255 / +inf: always go left
        std::vector<double> threshold(internal, infinity), leaf(internal + 1, 0.0);
        std::vector<double> gains(features, 0.0);
        std::mt19937_64 rng(o.seed + 0x632be59bd9b4e019ULL * static_cast<std::uint64_t>(round + 1));

        std::vector<std::int32_t> rows;
        rows.reserve(n);
        if (o.row_subsample < 1) {
            std::uniform_real_distribution<double> unit(0, 1);
            for (std::size_t i = 0; i < n; ++i)
                if (unit(rng) < o.row_subsample) rows.push_back(static_cast<std::int32_t>(i));
            if (rows.empty()) rows.push_back(static_cast<std::int32_t>(rng() % n));
        } else {
            for (std::size_t i = 0; i < n; ++i) rows.push_back(static_cast<std::int32_t>(i));
        }
        std::vector<std::size_t> active(features);
        std::iota(active.begin(), active.end(), std::size_t{0});
        if (o.col_subsample < 1) {
            const auto k = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(o.col_subsample * static_cast<double>(features))));
            for (std::size_t i = 0; i < k; ++i) std::swap(active[i], active[i + rng() % (features - i)]);
            active.resize(k);
            std::sort(active.begin(), active.end());
        }
        const std::size_t na = active.size();

        struct Node {
            std::size_t heap, begin, end;
            double g, h;
        };
        auto leaf_index = [&](std::size_t heap, int d) {
            return ((heap + 1) << (depth - d)) - 1 - internal;
        };
        auto leaf_value = [&](double g, double h) { return -g / (h + o.l2) * o.learning_rate; };

        Node root{0, 0, rows.size(), 0, 0};
        for (auto r : rows) root.g += gh[static_cast<std::size_t>(r)].g, root.h += gh[static_cast<std::size_t>(r)].h;
        std::vector<Node> level{root};
        std::vector<GradientPair> hist(total_bins), next_hist;

        auto build = [&](GradientPair* h, const Node& node, std::size_t f) {
            std::fill(h, h + cuts[f].size() + 1, GradientPair{});
            const std::uint8_t* column = bins.data() + f * n;
            for (std::size_t i = node.begin; i < node.end; ++i) {
                const auto r = static_cast<std::size_t>(rows[i]);
                auto& e = h[column[r]];
                e.g += gh[r].g;
                e.h += gh[r].h;
            }
        };
        pool.run(na, [&](std::size_t a) { build(hist.data() + bin_offset[active[a]], root, active[a]); });

        std::vector<SplitCandidate> candidates;
        std::vector<std::int32_t> scratch;
        for (int d = 0; d < depth; ++d) {
            // Best split of every (node, feature), in parallel; then per node in feature order.
            candidates.assign(level.size() * na, {});
            pool.run(level.size() * na, [&](std::size_t task) {
                const auto k = task / na;
                const auto f = active[task % na];
                const Node& node = level[k];
                const GradientPair* h = hist.data() + k * total_bins + bin_offset[f];
                const double parent = node.g * node.g / (node.h + o.l2);
                double gl = 0, hl = 0;
                auto& best = candidates[task];
                for (std::size_t b = 0; b + 1 < cuts[f].size() + 1; ++b) {
                    gl += h[b].g;
                    hl += h[b].h;
                    const double gr = node.g - gl, hr = node.h - hl;
                    if (hl < o.min_child_weight || hr < o.min_child_weight || hl <= 0 || hr <= 0) continue;
                    const double gain = 0.5 * (gl * gl / (hl + o.l2) + gr * gr / (hr + o.l2) - parent);
                    if (gain > best.gain) best = {gain, static_cast<int>(b), gl, hl};
                }
            });

            std::vector<Node> children;
            std::vector<std::pair<std::size_t, std::size_t>> pairs; // (parent level index, left child index)
            for (std::size_t k = 0; k < level.size(); ++k) {
                const Node& node = level[k];
                std::size_t best_a = na;
                for (std::size_t a = 0; a < na; ++a)
                    if (candidates[k * na + a].bin >= 0 &&
                        (best_a == na || candidates[k * na + a].gain > candidates[k * na + best_a].gain))
                        best_a = a;
                if (best_a == na || !(candidates[k * na + best_a].gain > o.min_split_gain)) {
                    leaf[leaf_index(node.heap, d)] = leaf_value(node.g, node.h);
                    continue;
                }
                const auto& best = candidates[k * na + best_a];
                const auto f = active[best_a];
                split_feature[node.heap] = static_cast<std::int32_t>(f);
                split_bin[node.heap] = static_cast<std::uint8_t>(best.bin);
                threshold[node.heap] = cuts[f][static_cast<std::size_t>(best.bin)];
                gains[f] += best.gain;
                // Stable partition of the node's rows: bin <= split bin goes left.
                const std::uint8_t* column = bins.data() + f * n;
                scratch.clear();
                std::size_t w = node.begin;
                for (std::size_t i = node.begin; i < node.end; ++i) {
                    const auto r = rows[i];
                    if (column[static_cast<std::size_t>(r)] <= best.bin) rows[w++] = r;
                    else scratch.push_back(r);
                }
                std::copy(scratch.begin(), scratch.end(), rows.begin() + static_cast<std::ptrdiff_t>(w));
                pairs.emplace_back(k, children.size());
                children.push_back({2 * node.heap + 1, node.begin, w, best.left_g, best.left_h});
                children.push_back({2 * node.heap + 2, w, node.end, node.g - best.left_g, node.h - best.left_h});
            }
            if (children.empty()) break;
            if (d + 1 == depth) {
                for (const auto& c : children) leaf[leaf_index(c.heap, d + 1)] = leaf_value(c.g, c.h);
                break;
            }
            // Histograms of the children: build the smaller, subtract it from the parent.
            next_hist.resize(children.size() * total_bins);
            pool.run(pairs.size() * na, [&](std::size_t task) {
                const auto [k, left] = pairs[task / na];
                const auto f = active[task % na];
                const bool left_smaller = children[left].end - children[left].begin <=
                                          children[left + 1].end - children[left + 1].begin;
                const auto small = left_smaller ? left : left + 1, large = left_smaller ? left + 1 : left;
                GradientPair* hs = next_hist.data() + small * total_bins + bin_offset[f];
                GradientPair* hl = next_hist.data() + large * total_bins + bin_offset[f];
                const GradientPair* hp = hist.data() + k * total_bins + bin_offset[f];
                build(hs, children[small], f);
                for (std::size_t b = 0; b <= cuts[f].size(); ++b) hl[b] = {hp[b].g - hs[b].g, hp[b].h - hs[b].h};
            });
            std::swap(hist, next_hist);
            level = std::move(children);
        }

        // Update the scores of every training and validation row by walking the binned tree.
        auto walk = [&](const std::vector<std::uint8_t>& b, std::size_t count, std::size_t row) {
            std::size_t i = 0;
            for (int d = 0; d < depth; ++d)
                i = 2 * i + 1 + (b[static_cast<std::size_t>(split_feature[i]) * count + row] > split_bin[i]);
            return leaf[i - internal];
        };
        constexpr std::size_t chunk = 2048;
        pool.run((n + chunk - 1) / chunk, [&](std::size_t c) {
            for (std::size_t r = c * chunk; r < std::min(n, (c + 1) * chunk); ++r) score[r] += walk(bins, n, r);
        });
        for (std::size_t r = 0; r < nv; ++r) valid_score[r] += walk(valid_bins, nv, r);

        model.split_feature_.insert(model.split_feature_.end(), split_feature.begin(), split_feature.end());
        model.split_threshold_.insert(model.split_threshold_.end(), threshold.begin(), threshold.end());
        model.leaf_value_.insert(model.leaf_value_.end(), leaf.begin(), leaf.end());
        ++model.trees_;
        return gains;
    }
};

GradientBoostedTrees::GradientBoostedTrees(GbtOptions options) : options_(std::move(options)) {
    check_options(options_);
}

void GradientBoostedTrees::fit(const TrainingSet& data) {
    check_options(options_);
    const GbtOptions& o = options_;
    pipeline_ = FeaturePipeline::fit(data, o.features);
    const Eigen::MatrixXd z = pipeline_.transform(data.features);
    const auto rows = data.rows();

    // Hold out whole groups for early stopping (single rows if there is only one group).
    std::vector<Eigen::Index> train_rows, valid_rows;
    auto all_groups = group_rows(data.groups, rows);
    if (o.early_stopping_rounds > 0) {
        auto units = all_groups;
        if (units.size() < 2) {
            units.clear();
            for (Eigen::Index r = 0; r < rows; ++r) units.push_back({r});
        }
        const auto valid_units = std::max<std::size_t>(
            1, static_cast<std::size_t>(std::lround(o.validation_fraction * static_cast<double>(units.size()))));
        if (valid_units >= units.size())
            fail(ErrorKind::invalid_data, "gbt: too few rows or groups ({}) for a validation split", units.size());
        std::vector<std::size_t> order(units.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::mt19937_64 rng(o.seed ^ 0x5bd1e995ULL);
        fisher_yates(order, rng);
        std::vector<bool> is_valid(static_cast<std::size_t>(rows), false);
        for (std::size_t i = 0; i < valid_units; ++i)
            for (auto r : units[order[i]]) is_valid[static_cast<std::size_t>(r)] = true;
        for (Eigen::Index r = 0; r < rows; ++r) (is_valid[static_cast<std::size_t>(r)] ? valid_rows : train_rows).push_back(r);
    } else {
        train_rows.resize(static_cast<std::size_t>(rows));
        std::iota(train_rows.begin(), train_rows.end(), Eigen::Index{0});
    }

    const unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    split_feature_.clear();
    split_threshold_.clear();
    leaf_value_.clear();
    validation_.clear();
    trees_ = 0;
    depth_ = o.max_depth;

    GbtTrainer t(o, *this, threads);
    t.features = pipeline_.width();
    t.n = train_rows.size();
    t.nv = valid_rows.size();
    t.make_cuts(z, train_rows);
    t.bins = t.bin_rows(z, train_rows);
    t.valid_bins = t.bin_rows(z, valid_rows);
    // The target: log(seconds) relative to the anchor, if any; with center_groups, each group's
    // mean moved to the overall mean, so the trees learn only differences within a group (what
    // ranking needs) and nothing of how groups differ from each other (which on an unseen
    // operator is extrapolation).
    Eigen::VectorXd y = data.seconds.array().log().matrix() - log_anchors(pipeline_, data.features);
    if (o.center_groups) {
        const double overall = y.mean();
        for (const auto& members : all_groups) {
            double mean = 0;
            for (auto r : members) mean += y[r];
            mean /= static_cast<double>(members.size());
            for (auto r : members) y[r] += overall - mean;
        }
    }
    for (auto r : train_rows) t.y.push_back(y[r]);
    for (auto r : valid_rows) t.valid_y.push_back(y[r]);
    base_score_ = std::accumulate(t.y.begin(), t.y.end(), 0.0) / static_cast<double>(t.n);
    t.score.assign(t.n, base_score_);
    t.valid_score.assign(t.nv, base_score_);
    t.gh.resize(t.n);

    // Groups in training-row numbering (for pairwise), and fixed validation pairs.
    std::vector<std::int32_t> train_index(static_cast<std::size_t>(rows), -1), valid_index(static_cast<std::size_t>(rows), -1);
    for (std::size_t i = 0; i < train_rows.size(); ++i) train_index[static_cast<std::size_t>(train_rows[i])] = static_cast<std::int32_t>(i);
    for (std::size_t i = 0; i < valid_rows.size(); ++i) valid_index[static_cast<std::size_t>(valid_rows[i])] = static_cast<std::int32_t>(i);
    std::mt19937_64 pair_rng(o.seed ^ 0x27d4eb2fULL);
    for (const auto& members : all_groups) {
        std::vector<std::int32_t> tg, vg;
        for (auto r : members) {
            if (train_index[static_cast<std::size_t>(r)] >= 0) tg.push_back(train_index[static_cast<std::size_t>(r)]);
            else vg.push_back(valid_index[static_cast<std::size_t>(r)]);
        }
        if (!tg.empty()) t.groups.push_back(std::move(tg));
        if (o.objective == GbtObjective::pairwise && vg.size() >= 2)
            for (auto i : vg)
                for (int k = 0; k < o.pairs_per_row; ++k) {
                    const auto j = vg[pair_rng() % vg.size()];
                    const double yi = t.valid_y[static_cast<std::size_t>(i)], yj = t.valid_y[static_cast<std::size_t>(j)];
                    if (yi == yj) continue;
                    t.valid_pairs.emplace_back(yi < yj ? i : j, yi < yj ? j : i);
                }
    }

    std::vector<std::vector<double>> tree_gains;
    double best_loss = infinity;
    int best_trees = 0;
    for (int round = 0; round < o.rounds; ++round) {
        t.compute_gradients(round);
        tree_gains.push_back(t.grow_tree(round));
        if (o.early_stopping_rounds > 0) {
            const double loss = t.validation_loss();
            validation_.push_back(loss);
            if (loss < best_loss) best_loss = loss, best_trees = trees_;
            else if (trees_ - best_trees >= o.early_stopping_rounds) break;
        }
    }
    if (o.early_stopping_rounds > 0 && best_trees < trees_) {
        trees_ = best_trees;
        split_feature_.resize(static_cast<std::size_t>(trees_) * internal_per_tree());
        split_threshold_.resize(static_cast<std::size_t>(trees_) * internal_per_tree());
        leaf_value_.resize(static_cast<std::size_t>(trees_) * (internal_per_tree() + 1));
    }
    importance_.assign(t.features, 0.0);
    for (int i = 0; i < trees_; ++i)
        for (std::size_t f = 0; f < t.features; ++f) importance_[f] += tree_gains[static_cast<std::size_t>(i)][f];

    calibration_offset_ = 0;
    calibration_slope_ = 1;
    if (o.objective == GbtObjective::pairwise) {
        // Order scores carry no unit: map them to log(seconds) by least squares on the training
        // rows. The slope is kept positive so calibration never reverses the ranking.
        const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> zr = z;
        std::vector<double> s(t.n);
        for (std::size_t i = 0; i < t.n; ++i) s[i] = score_prepared(zr.row(train_rows[i]).data());
        const double ms = std::accumulate(s.begin(), s.end(), 0.0) / static_cast<double>(t.n);
        const double my = std::accumulate(t.y.begin(), t.y.end(), 0.0) / static_cast<double>(t.n);
        double sxy = 0, sxx = 0;
        for (std::size_t i = 0; i < t.n; ++i) sxy += (s[i] - ms) * (t.y[i] - my), sxx += (s[i] - ms) * (s[i] - ms);
        calibration_slope_ = sxx > 0 ? std::max(sxy / sxx, 1e-6) : 1.0;
        calibration_offset_ = my - calibration_slope_ * ms;
    }
}

double GradientBoostedTrees::score_prepared(const double* z) const noexcept {
    const std::size_t internal = internal_per_tree(), leaves = internal + 1;
    const std::int32_t* feature = split_feature_.data();
    const double* threshold = split_threshold_.data();
    const double* value = leaf_value_.data();
    double s = base_score_;
    int t = 0;
    // Four trees at a time: their walks are independent, so the CPU overlaps them.
    for (; t + 4 <= trees_; t += 4) {
        const auto base = static_cast<std::size_t>(t) * internal;
        const std::int32_t* f0 = feature + base;
        const std::int32_t* f1 = f0 + internal;
        const std::int32_t* f2 = f1 + internal;
        const std::int32_t* f3 = f2 + internal;
        const double* t0 = threshold + base;
        const double* t1 = t0 + internal;
        const double* t2 = t1 + internal;
        const double* t3 = t2 + internal;
        std::size_t i0 = 0, i1 = 0, i2 = 0, i3 = 0;
        for (int d = 0; d < depth_; ++d) {
            i0 = 2 * i0 + 1 + (z[f0[i0]] >= t0[i0]);
            i1 = 2 * i1 + 1 + (z[f1[i1]] >= t1[i1]);
            i2 = 2 * i2 + 1 + (z[f2[i2]] >= t2[i2]);
            i3 = 2 * i3 + 1 + (z[f3[i3]] >= t3[i3]);
        }
        const double* v = value + static_cast<std::size_t>(t) * leaves - internal;
        s += v[i0];
        s += v[leaves + i1];
        s += v[2 * leaves + i2];
        s += v[3 * leaves + i3];
    }
    for (; t < trees_; ++t) {
        const std::int32_t* f = feature + static_cast<std::size_t>(t) * internal;
        const double* th = threshold + static_cast<std::size_t>(t) * internal;
        std::size_t i = 0;
        for (int d = 0; d < depth_; ++d) i = 2 * i + 1 + (z[f[i]] >= th[i]);
        s += value[static_cast<std::size_t>(t) * leaves + i - internal];
    }
    return s;
}

double GradientBoostedTrees::score(std::span<const double> raw_row) const {
    if (!fitted()) fail(ErrorKind::invalid_argument, "gbt: predict before fit or load");
    const auto w = pipeline_.width();
    double stack[stack_row_capacity];
    std::vector<double> heap;
    double* z = stack;
    if (w > stack_row_capacity) heap.resize(w), z = heap.data();
    pipeline_.transform_row(raw_row, z);
    return score_prepared(z);
}

double GradientBoostedTrees::predict(std::span<const double> raw_row) const {
    return std::exp(pipeline_.log_anchor(raw_row) + calibration_offset_ + calibration_slope_ * score(raw_row));
}

Eigen::VectorXd GradientBoostedTrees::predict(const Eigen::MatrixXd& raw_rows) const {
    if (!fitted()) fail(ErrorKind::invalid_argument, "gbt: predict before fit or load");
    // Row-major so each prepared row is contiguous for the walk.
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> z = pipeline_.transform(raw_rows);
    const Eigen::VectorXd anchors = log_anchors(pipeline_, raw_rows);
    Eigen::VectorXd out(z.rows());
    for (Eigen::Index r = 0; r < z.rows(); ++r)
        out[r] = std::exp(anchors[r] + calibration_offset_ + calibration_slope_ * score_prepared(z.row(r).data()));
    return out;
}

std::vector<std::pair<std::string, double>> GradientBoostedTrees::feature_importance() const {
    const auto names = pipeline_.names();
    std::vector<std::pair<std::string, double>> out;
    for (std::size_t f = 0; f < importance_.size(); ++f) out.emplace_back(names[f], importance_[f]);
    return out;
}

ModelWriter GradientBoostedTrees::writer() const {
    if (!fitted()) fail(ErrorKind::invalid_argument, "gbt: save before fit");
    ModelWriter out(kind);
    out.provenance(options_.target);
    pipeline_.write(out);
    out.text("objective", to_string(options_.objective));
    out.integer("max_depth", depth_);
    out.integer("trees", trees_);
    out.number("base_score", base_score_);
    out.number("calibration_offset", calibration_offset_);
    out.number("calibration_slope", calibration_slope_);
    out.vector("importance", importance_);
    const auto internal = internal_per_tree();
    Eigen::MatrixXd splits(static_cast<Eigen::Index>(split_feature_.size()), 2);
    for (std::size_t i = 0; i < split_feature_.size(); ++i) {
        splits(static_cast<Eigen::Index>(i), 0) = split_feature_[i];
        splits(static_cast<Eigen::Index>(i), 1) = split_threshold_[i];
    }
    out.table("splits", splits); // per tree, 2^depth − 1 rows in heap order: feature, threshold
    out.table("leaves", Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                            leaf_value_.data(), trees_, static_cast<Eigen::Index>(internal + 1)));
    return out;
}

void GradientBoostedTrees::save(const std::filesystem::path& file) const { writer().save(file); }

std::string GradientBoostedTrees::text() const { return writer().contents(); }

GradientBoostedTrees GradientBoostedTrees::load(const std::filesystem::path& file) { return load(file, {}); }

GradientBoostedTrees GradientBoostedTrees::load(const std::filesystem::path& file,
                                                std::span<const std::string> expected_features) {
    ModelReader in(file, kind);
    return read(in, expected_features);
}

GradientBoostedTrees GradientBoostedTrees::read(ModelReader& in, std::span<const std::string> expected_features) {
    if (in.kind() != kind) in.fail_here("this is a '{}' model, expected a '{}' model", in.kind(), kind);
    GradientBoostedTrees m;
    m.options_.target = in.provenance();
    m.pipeline_ = FeaturePipeline::read(in, expected_features);
    m.options_.features = m.pipeline_.options();
    const auto objective = in.text("objective");
    if (objective == "squared") m.options_.objective = GbtObjective::squared;
    else if (objective == "pairwise") m.options_.objective = GbtObjective::pairwise;
    else in.fail_here("unknown objective '{}'", objective);
    const auto depth = in.integer("max_depth");
    if (depth < 1 || depth > max_supported_depth) in.fail_here("max_depth {} is out of 1..{}", depth, max_supported_depth);
    m.depth_ = static_cast<int>(depth);
    m.options_.max_depth = m.depth_;
    const auto trees = in.integer("trees");
    if (trees < 1 || trees > 1'000'000) in.fail_here("tree count {} is out of range", trees);
    m.trees_ = static_cast<int>(trees);
    m.options_.rounds = m.trees_;
    m.base_score_ = in.number("base_score");
    m.calibration_offset_ = in.number("calibration_offset");
    m.calibration_slope_ = in.number("calibration_slope");
    for (double v : {m.base_score_, m.calibration_offset_, m.calibration_slope_})
        if (std::isinf(v)) in.fail_here("an infinite base score or calibration");
    m.importance_ = in.vector("importance");
    if (m.importance_.size() != m.pipeline_.width())
        in.fail_here("'importance' has {} values, the features need {}", m.importance_.size(), m.pipeline_.width());
    const auto internal = m.internal_per_tree();
    const auto splits = in.table("splits");
    if (static_cast<std::size_t>(splits.rows()) != internal * static_cast<std::size_t>(trees) || splits.cols() != 2)
        in.fail_here("'splits' is {}x{}, expected {}x2 for {} trees of depth {}", splits.rows(), splits.cols(),
                     internal * static_cast<std::size_t>(trees), trees, depth);
    for (Eigen::Index i = 0; i < splits.rows(); ++i) {
        const double f = splits(i, 0);
        if (!(f >= 0 && f < static_cast<double>(m.pipeline_.width())) || f != std::floor(f))
            in.fail_here("split {} uses feature {}, the model has {} features", i, f, m.pipeline_.width());
        m.split_feature_.push_back(static_cast<std::int32_t>(f));
        m.split_threshold_.push_back(splits(i, 1));
    }
    const auto leaves = in.table("leaves");
    if (leaves.rows() != trees || static_cast<std::size_t>(leaves.cols()) != internal + 1)
        in.fail_here("'leaves' is {}x{}, expected {}x{}", leaves.rows(), leaves.cols(), trees, internal + 1);
    for (Eigen::Index t = 0; t < leaves.rows(); ++t)
        for (Eigen::Index j = 0; j < leaves.cols(); ++j) {
            if (std::isinf(leaves(t, j))) in.fail_here("tree {} has an infinite leaf", t);
            m.leaf_value_.push_back(leaves(t, j));
        }
    in.finish();
    return m;
}

} // namespace simtune
