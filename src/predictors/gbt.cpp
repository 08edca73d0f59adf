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
    if (o.max_bins < 2 || o.max_bins > 256)
        fail(ErrorKind::invalid_argument, "gbt: max_bins must be in 2..256, got {}", o.max_bins);
    if (!(o.row_subsample > 0 && o.row_subsample <= 1))
        fail(ErrorKind::invalid_argument, "gbt: row_subsample must be in (0, 1], got {}", o.row_subsample);
    if (!(o.col_subsample > 0 && o.col_subsample <= 1))
        fail(ErrorKind::invalid_argument, "gbt: col_subsample must be in (0, 1], got {}", o.col_subsample);
    if (!(o.min_child_weight >= 0))
        fail(ErrorKind::invalid_argument, "gbt: min_child_weight must be >= 0, got {}", o.min_child_weight);
    if (!(o.l2 >= 0)) fail(ErrorKind::invalid_argument, "gbt: l2 must be >= 0, got {}", o.l2);
    if (!(o.min_split_gain >= 0))
        fail(ErrorKind::invalid_argument, "gbt: min_split_gain must be >= 0, got {}", o.min_split_gain);
    if (o.early_stopping_rounds < 0)
        fail(ErrorKind::invalid_argument, "gbt: early_stopping_rounds must be >= 0, got {}", o.early_stopping_rounds);
    if (o.early_stopping_rounds > 0 && !(o.validation_fraction > 0 && o.validation_fraction < 1))
        fail(ErrorKind::invalid_argument, "gbt: validation_fraction must be in (0, 1) for early stopping, got {}",
             o.validation_fraction);
    if (o.pairs_per_row < 1)
        fail(ErrorKind::invalid_argument, "gbt: pairs_per_row must be >= 1, got {}", o.pairs_per_row);
    if (!(o.pairwise_sigma > 0))
        fail(ErrorKind::invalid_argument, "gbt: pairwise_sigma must be positive, got {}", o.pairwise_sigma);
    if (!(o.pairwise_resolution >= 0) || std::isinf(o.pairwise_resolution))
        fail(ErrorKind::invalid_argument, "gbt: pairwise_resolution must be finite and >= 0, got {}",
             o.pairwise_resolution);
    if (o.bags < 1 || o.bags > 64) fail(ErrorKind::invalid_argument, "gbt: bags must be in 1..64, got {}", o.bags);
    for (const auto& [name, sign] : o.monotone)
        if (sign != 1 && sign != -1)
            fail(ErrorKind::invalid_argument, "gbt: the monotone direction of '{}' must be +1 or -1, got {}", name,
                 sign);
}

std::string_view to_string(GbtObjective o) { return o == GbtObjective::squared ? "squared" : "pairwise"; }

/// The first and second derivative of the loss at one row's score, or their sums over the rows of
/// a histogram bin or a node.
struct GradientPair {
    double gradient = 0, hessian = 0;
};

/// The best split of one node on one feature found so far: rows whose bin is <= `bin` go left.
struct SplitCandidate {
    double gain = -infinity;
    int bin = -1;      ///< -1: no admissible split
    GradientPair left; ///< sums over the rows that go left
};

/// A node of the level being split: its index in the complete tree (heap order: the children of
/// node i are 2i + 1 and 2i + 2), its rows (a range of the tree's row list) and their sums.
struct Node {
    std::size_t heap, begin, end;
    GradientPair sum;
    /// Bounds on the node's (unshrunk) leaf value set by monotone splits above it.
    double lower = -infinity, upper = infinity;
};

/// One tree while it grows, stored as the model stores it: a complete tree of the full depth in
/// heap order. A node that does not split keeps feature 0, bin 255 and threshold +inf, so every
/// row goes left and reaches the leaf on its leftmost path.
struct FlatTree {
    int depth;
    std::size_t internal; ///< 2^depth − 1 internal nodes, then 2^depth leaves
    std::vector<std::int32_t> split_feature;
    std::vector<std::uint8_t> split_bin; ///< on binned rows: go right when bin > split_bin
    std::vector<double> threshold;       ///< on feature values: go right when value >= threshold
    std::vector<double> leaf;

    explicit FlatTree(int d)
        : depth(d), internal((std::size_t{1} << d) - 1), split_feature(internal, 0), split_bin(internal, 255),
          threshold(internal, infinity), leaf(internal + 1, 0.0) {}

    /// The leaf under `heap`, a node at depth `d` that stops there: its leftmost descendant leaf.
    [[nodiscard]] std::size_t leaf_below(std::size_t heap, int d) const {
        return ((heap + 1) << (depth - d)) - 1 - internal;
    }

    /// The leaf `row` of `bins` (features × count, column-major) reaches.
    [[nodiscard]] double walk(const std::vector<std::uint8_t>& bins, std::size_t count, std::size_t row) const {
        std::size_t i = 0;
        for (int d = 0; d < depth; ++d)
            i = 2 * i + 1 + (bins[static_cast<std::size_t>(split_feature[i]) * count + row] > split_bin[i]);
        return leaf[i - internal];
    }
};

/// Numerically stable logistic function.
double sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
}

/// log(1 + exp(x)) without overflow.
double softplus(double x) { return x > 30 ? x : std::log1p(std::exp(x)); }

/// Training and validation rows: with early stopping, a validation_fraction share of the groups
/// (of single rows if there is only one group) drawn at random is held out; without, every row
/// trains.
std::pair<std::vector<Eigen::Index>, std::vector<Eigen::Index>>
hold_out_for_validation(const GbtOptions& options, const std::vector<std::vector<Eigen::Index>>& groups,
                        Eigen::Index rows) {
    std::vector<Eigen::Index> train_rows, valid_rows;
    if (options.early_stopping_rounds == 0) {
        train_rows.resize(static_cast<std::size_t>(rows));
        std::iota(train_rows.begin(), train_rows.end(), Eigen::Index{0});
        return {train_rows, valid_rows};
    }
    auto units = groups;
    if (units.size() < 2) {
        units.clear();
        for (Eigen::Index r = 0; r < rows; ++r) units.push_back({r});
    }
    const auto valid_units = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::lround(options.validation_fraction * static_cast<double>(units.size()))));
    if (valid_units >= units.size())
        fail(ErrorKind::invalid_data, "gbt: too few rows or groups ({}) for a validation split", units.size());
    std::vector<std::size_t> order(units.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::mt19937_64 rng(options.seed ^ 0x5bd1e995ULL);
    fisher_yates(order, rng);
    std::vector<bool> is_valid(static_cast<std::size_t>(rows), false);
    for (std::size_t i = 0; i < valid_units; ++i)
        for (auto r : units[order[i]]) is_valid[static_cast<std::size_t>(r)] = true;
    for (Eigen::Index r = 0; r < rows; ++r)
        (is_valid[static_cast<std::size_t>(r)] ? valid_rows : train_rows).push_back(r);
    return {train_rows, valid_rows};
}

/// What the trees learn for each row: log(seconds) relative to the anchor, if any. With
/// center_groups, each group's mean is moved to the overall mean, so the trees learn only
/// differences within a group (what ranking needs) and nothing of how groups differ from each
/// other (which on an unseen operator is extrapolation).
Eigen::VectorXd boosting_target(const TrainingSet& data, const FeaturePipeline& pipeline, bool center_groups,
                                const std::vector<std::vector<Eigen::Index>>& groups) {
    Eigen::VectorXd target = data.seconds.array().log().matrix() - log_anchors(pipeline, data.features);
    if (!center_groups) return target;
    const double overall = target.mean();
    for (const auto& members : groups) {
        double mean = 0;
        for (auto r : members) mean += target[r];
        mean /= static_cast<double>(members.size());
        for (auto r : members) target[r] += overall - mean;
    }
    return target;
}

} // namespace

/// Everything fit() needs while training; the model keeps only the flat trees. Rows are numbered
/// separately within the training and the validation rows.
struct GbtTrainer {
    const GbtOptions& options;
    GradientBoostedTrees& model;
    detail::TaskPool pool;
    std::size_t features = 0;
    // Training rows.
    std::size_t train_size = 0;
    std::vector<std::uint8_t> train_bins; ///< features × train_size, column-major
    std::vector<double> train_target, train_score;
    std::vector<GradientPair> gradients;
    std::vector<std::vector<std::int32_t>> train_groups; ///< training row ids of each workload
    // Validation rows (early stopping).
    std::size_t valid_size = 0;
    std::vector<std::uint8_t> valid_bins;
    std::vector<double> valid_target, valid_score;
    std::vector<std::pair<std::int32_t, std::int32_t>> valid_pairs; ///< (faster, slower)
    // Binning.
    std::vector<std::vector<double>> cuts; ///< bin(x) = number of cuts <= x; bin <= b <=> x < cuts[b]
    std::vector<std::size_t> bin_offset;   ///< start of each feature in a node histogram
    std::size_t total_bins = 0;
    std::vector<int> direction; ///< per feature: +1 / -1 monotone (GbtOptions::monotone), 0 free

    GbtTrainer(const GbtOptions& o, GradientBoostedTrees& m, unsigned threads) : options(o), model(m), pool(threads) {}

    // ---- Setting up: bins, targets, groups ----

    /// Bins every feature on the training rows, then bins the training and validation rows.
    void bin_features(const Eigen::MatrixXd& prepared, const std::vector<Eigen::Index>& train_rows,
                      const std::vector<Eigen::Index>& valid_rows, const std::vector<std::string>& names) {
        features = static_cast<std::size_t>(prepared.cols());
        direction.assign(features, 0);
        for (const auto& [name, sign] : options.monotone)
            if (const auto it = std::ranges::find(names, name); it != names.end())
                direction[static_cast<std::size_t>(it - names.begin())] = sign;
        train_size = train_rows.size();
        valid_size = valid_rows.size();
        make_cuts(prepared, train_rows);
        train_bins = bin_rows(prepared, train_rows);
        valid_bins = bin_rows(prepared, valid_rows);
    }

    void make_cuts(const Eigen::MatrixXd& prepared, const std::vector<Eigen::Index>& train_rows) {
        cuts.assign(features, {});
        bin_offset.assign(features, 0);
        pool.run(features, [&](std::size_t f) {
            std::vector<double> v;
            v.reserve(train_rows.size());
            for (auto r : train_rows) v.push_back(prepared(r, static_cast<Eigen::Index>(f)));
            std::sort(v.begin(), v.end());
            std::vector<double> distinct;
            std::unique_copy(v.begin(), v.end(), std::back_inserter(distinct));
            auto& c = cuts[f];
            if (distinct.size() <= static_cast<std::size_t>(options.max_bins)) {
                for (std::size_t i = 1; i < distinct.size(); ++i)
                    c.push_back(distinct[i - 1] + (distinct[i] - distinct[i - 1]) / 2);
            } else {
                // Quantile cuts: each bin holds about n / max_bins rows (ties permitting).
                const auto bins = static_cast<std::size_t>(options.max_bins);
                for (std::size_t k = 1; k < bins; ++k) {
                    const double q = v[v.size() * k / bins];
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

    std::vector<std::uint8_t> bin_rows(const Eigen::MatrixXd& prepared, const std::vector<Eigen::Index>& rows) {
        std::vector<std::uint8_t> out(features * rows.size());
        pool.run(features, [&](std::size_t f) {
            const auto& c = cuts[f];
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const double x = prepared(rows[i], static_cast<Eigen::Index>(f));
                out[f * rows.size() + i] =
                    static_cast<std::uint8_t>(std::upper_bound(c.begin(), c.end(), x) - c.begin());
            }
        });
        return out;
    }

    /// The target of each training and validation row; every score starts at the training mean,
    /// which becomes the model's base score.
    void set_target(const Eigen::VectorXd& target, const std::vector<Eigen::Index>& train_rows,
                    const std::vector<Eigen::Index>& valid_rows) {
        for (auto r : train_rows) train_target.push_back(target[r]);
        for (auto r : valid_rows) valid_target.push_back(target[r]);
        model.base_score_ =
            std::accumulate(train_target.begin(), train_target.end(), 0.0) / static_cast<double>(train_size);
        train_score.assign(train_size, model.base_score_);
        valid_score.assign(valid_size, model.base_score_);
        gradients.resize(train_size);
    }

    /// The groups in training-row numbering (for the pairwise gradients) and, for pairwise, a fixed
    /// sample of ordered pairs within each group's validation rows (for the validation loss).
    void index_groups(const std::vector<std::vector<Eigen::Index>>& groups, const std::vector<Eigen::Index>& train_rows,
                      const std::vector<Eigen::Index>& valid_rows, Eigen::Index rows) {
        std::vector<std::int32_t> train_index(static_cast<std::size_t>(rows), -1),
            valid_index(static_cast<std::size_t>(rows), -1);
        for (std::size_t i = 0; i < train_rows.size(); ++i)
            train_index[static_cast<std::size_t>(train_rows[i])] = static_cast<std::int32_t>(i);
        for (std::size_t i = 0; i < valid_rows.size(); ++i)
            valid_index[static_cast<std::size_t>(valid_rows[i])] = static_cast<std::int32_t>(i);
        std::mt19937_64 pair_rng(options.seed ^ 0x27d4eb2fULL);
        for (const auto& members : groups) {
            std::vector<std::int32_t> train_members, valid_members;
            for (auto r : members) {
                if (train_index[static_cast<std::size_t>(r)] >= 0)
                    train_members.push_back(train_index[static_cast<std::size_t>(r)]);
                else valid_members.push_back(valid_index[static_cast<std::size_t>(r)]);
            }
            if (!train_members.empty()) train_groups.push_back(std::move(train_members));
            if (options.objective == GbtObjective::pairwise && valid_members.size() >= 2)
                sample_validation_pairs(valid_members, pair_rng);
        }
    }

    void sample_validation_pairs(const std::vector<std::int32_t>& members, std::mt19937_64& rng) {
        for (auto i : members)
            for (int k = 0; k < options.pairs_per_row; ++k) {
                const auto j = members[rng() % members.size()];
                const double yi = valid_target[static_cast<std::size_t>(i)],
                             yj = valid_target[static_cast<std::size_t>(j)];
                if (yi == yj) continue;
                valid_pairs.emplace_back(yi < yj ? i : j, yi < yj ? j : i);
            }
    }

    // ---- Boosting ----

    /// Grows the trees, stopping early if asked (the model keeps the trees up to the best
    /// validation loss); returns the split gains per feature of each tree grown.
    std::vector<std::vector<double>> boost() {
        std::vector<std::vector<double>> tree_gains;
        double best_loss = infinity;
        int best_trees = 0;
        for (int round = 0; round < options.rounds; ++round) {
            compute_gradients(round);
            tree_gains.push_back(grow_tree(round));
            if (options.early_stopping_rounds > 0) {
                const double loss = validation_loss();
                model.validation_.push_back(loss);
                if (loss < best_loss) best_loss = loss, best_trees = model.trees_;
                else if (model.trees_ - best_trees >= options.early_stopping_rounds) break;
            }
        }
        if (options.early_stopping_rounds > 0 && best_trees < model.trees_) keep_trees(best_trees);
        return tree_gains;
    }

    void keep_trees(int trees) {
        model.trees_ = trees;
        const auto internal = model.internal_per_tree();
        model.split_feature_.resize(static_cast<std::size_t>(trees) * internal);
        model.split_threshold_.resize(static_cast<std::size_t>(trees) * internal);
        model.leaf_value_.resize(static_cast<std::size_t>(trees) * (internal + 1));
    }

    void compute_gradients(int round) {
        if (options.objective == GbtObjective::squared) {
            for (std::size_t i = 0; i < train_size; ++i) gradients[i] = {train_score[i] - train_target[i], 1.0};
            return;
        }
        compute_pairwise_gradients(round);
    }

    /// RankNet: for pairs sampled within each group, the logistic loss of scoring the slower row
    /// of the pair below the faster one.
    void compute_pairwise_gradients(int round) {
        std::fill(gradients.begin(), gradients.end(), GradientPair{});
        std::mt19937_64 rng(options.seed ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(round + 1)));
        const double sigma = options.pairwise_sigma;
        const auto& y = train_target;
        for (const auto& members : train_groups) {
            const auto m = members.size();
            if (m < 2) continue;
            for (auto i : members)
                for (int k = 0; k < options.pairs_per_row; ++k) {
                    const auto j = members[rng() % m];
                    if (y[static_cast<std::size_t>(j)] == y[static_cast<std::size_t>(i)]) continue;
                    auto faster = static_cast<std::size_t>(i), slower = static_cast<std::size_t>(j);
                    if (y[faster] > y[slower]) std::swap(faster, slower);
                    const double weight = options.pairwise_resolution > 0
                                              ? std::min(1.0, (y[slower] - y[faster]) / options.pairwise_resolution)
                                              : 1.0;
                    const double p = sigmoid(sigma * (train_score[faster] - train_score[slower]));
                    const double hessian = std::max(sigma * sigma * p * (1 - p), 1e-16);
                    gradients[faster].gradient += weight * sigma * p;
                    gradients[slower].gradient -= weight * sigma * p;
                    gradients[faster].hessian += weight * hessian;
                    gradients[slower].hessian += weight * hessian;
                }
        }
    }

    /// RMSE of the validation scores (squared) or their mean logistic loss on the validation pairs.
    double validation_loss() const {
        if (options.objective == GbtObjective::squared) {
            double s = 0;
            for (std::size_t i = 0; i < valid_size; ++i)
                s += (valid_score[i] - valid_target[i]) * (valid_score[i] - valid_target[i]);
            return std::sqrt(s / static_cast<double>(valid_size));
        }
        double s = 0;
        for (auto [faster, slower] : valid_pairs)
            s += softplus(options.pairwise_sigma * (valid_score[static_cast<std::size_t>(faster)] -
                                                    valid_score[static_cast<std::size_t>(slower)]));
        return valid_pairs.empty() ? 0.0 : s / static_cast<double>(valid_pairs.size());
    }

    // ---- One tree ----

    /// Grows one tree on the current gradients, level by level, adds it to every row's score and
    /// appends it to the model; returns the gain of each feature's splits.
    std::vector<double> grow_tree(int round) {
        FlatTree tree(options.max_depth);
        std::vector<double> gains(features, 0.0);
        std::mt19937_64 rng(options.seed + 0x632be59bd9b4e019ULL * static_cast<std::uint64_t>(round + 1));
        auto rows = sample_rows(rng); // each node's rows are a contiguous range of this list
        const auto active = sample_features(rng);

        Node root{0, 0, rows.size(), {}};
        for (auto r : rows) {
            root.sum.gradient += gradients[static_cast<std::size_t>(r)].gradient;
            root.sum.hessian += gradients[static_cast<std::size_t>(r)].hessian;
        }
        std::vector<Node> level{root};
        // The histograms of the level's nodes: node k's histogram of feature f starts at
        // k * total_bins + bin_offset[f]; only the active features' parts are filled.
        std::vector<GradientPair> histograms(total_bins), next_histograms;
        pool.run(active.size(), [&](std::size_t a) {
            build_histogram(histograms.data() + bin_offset[active[a]], root, active[a], rows);
        });

        for (int d = 0; d < tree.depth; ++d) {
            const auto candidates = find_splits(level, histograms, active);
            std::vector<std::pair<std::size_t, std::size_t>> parents; // (parent's level index, its left child's)
            auto children = split_level(level, d, candidates, active, rows, tree, gains, parents);
            if (children.empty()) break;
            if (d + 1 == tree.depth) {
                for (const auto& c : children) tree.leaf[tree.leaf_below(c.heap, d + 1)] = leaf_value(c);
                break;
            }
            child_histograms(children, parents, histograms, next_histograms, active, rows);
            std::swap(histograms, next_histograms);
            level = std::move(children);
        }
        add_to_scores(tree);
        append_to_model(tree);
        return gains;
    }

    /// The training rows of this tree: all, or a row_subsample share drawn without replacement.
    std::vector<std::int32_t> sample_rows(std::mt19937_64& rng) const {
        std::vector<std::int32_t> rows;
        rows.reserve(train_size);
        if (options.row_subsample < 1) {
            std::uniform_real_distribution<double> unit(0, 1);
            for (std::size_t i = 0; i < train_size; ++i)
                if (unit(rng) < options.row_subsample) rows.push_back(static_cast<std::int32_t>(i));
            if (rows.empty()) rows.push_back(static_cast<std::int32_t>(rng() % train_size));
        } else {
            for (std::size_t i = 0; i < train_size; ++i) rows.push_back(static_cast<std::int32_t>(i));
        }
        return rows;
    }

    /// The features this tree may split on, in increasing order: all, or a col_subsample share.
    std::vector<std::size_t> sample_features(std::mt19937_64& rng) const {
        std::vector<std::size_t> active(features);
        std::iota(active.begin(), active.end(), std::size_t{0});
        if (options.col_subsample < 1) {
            const auto k = std::max<std::size_t>(
                1, static_cast<std::size_t>(std::lround(options.col_subsample * static_cast<double>(features))));
            for (std::size_t i = 0; i < k; ++i) std::swap(active[i], active[i + rng() % (features - i)]);
            active.resize(k);
            std::sort(active.begin(), active.end());
        }
        return active;
    }

    /// The node's value: the loss-minimising one within the node's monotone bounds, shrunk.
    double leaf_value(const Node& node) const {
        return weight(node.sum, node.lower, node.upper) * options.learning_rate;
    }

    double weight(const GradientPair& sum, double lower, double upper) const {
        return std::clamp(-sum.gradient / (sum.hessian + options.l2), lower, upper);
    }

    /// Twice the loss reduction of giving `sum`'s rows the value w: G^2 / (H + l2) at the optimum.
    double objective(const GradientPair& sum, double w) const {
        return -(2 * sum.gradient * w + (sum.hessian + options.l2) * w * w);
    }

    /// The gradient sums of `node`'s rows per bin of `feature`, into `histogram`.
    void build_histogram(GradientPair* histogram, const Node& node, std::size_t feature,
                         const std::vector<std::int32_t>& rows) const {
        std::fill(histogram, histogram + cuts[feature].size() + 1, GradientPair{});
        const std::uint8_t* column = train_bins.data() + feature * train_size;
        for (std::size_t i = node.begin; i < node.end; ++i) {
            const auto r = static_cast<std::size_t>(rows[i]);
            auto& bin = histogram[column[r]];
            bin.gradient += gradients[r].gradient;
            bin.hessian += gradients[r].hessian;
        }
    }

    /// The best split of every (node, active feature) of the level, in parallel: candidate
    /// k * active.size() + a is node k's best on feature active[a].
    std::vector<SplitCandidate> find_splits(const std::vector<Node>& level, const std::vector<GradientPair>& histograms,
                                            const std::vector<std::size_t>& active) {
        const auto na = active.size();
        std::vector<SplitCandidate> candidates(level.size() * na);
        pool.run(level.size() * na, [&](std::size_t task) {
            const Node& node = level[task / na];
            const auto f = active[task % na];
            const GradientPair* histogram = histograms.data() + task / na * total_bins + bin_offset[f];
            const double parent = node.sum.gradient * node.sum.gradient / (node.sum.hessian + options.l2);
            const bool bounded = node.lower > -infinity || node.upper < infinity;
            const int sign = direction[f];
            const double bounded_parent = objective(node.sum, weight(node.sum, node.lower, node.upper));
            GradientPair left;
            auto& best = candidates[task];
            for (std::size_t b = 0; b + 1 < cuts[f].size() + 1; ++b) {
                left.gradient += histogram[b].gradient;
                left.hessian += histogram[b].hessian;
                const double right_gradient = node.sum.gradient - left.gradient,
                             right_hessian = node.sum.hessian - left.hessian;
                if (left.hessian < options.min_child_weight || right_hessian < options.min_child_weight ||
                    left.hessian <= 0 || right_hessian <= 0)
                    continue;
                double gain;
                if (!bounded && sign == 0) {
                    gain = 0.5 * (left.gradient * left.gradient / (left.hessian + options.l2) +
                                  right_gradient * right_gradient / (right_hessian + options.l2) - parent);
                } else {
                    // Both children's values within the node's bounds and, on a constrained
                    // feature, in its order (left holds the smaller values of the feature).
                    const GradientPair right{right_gradient, right_hessian};
                    const double wl = weight(left, node.lower, node.upper), wr = weight(right, node.lower, node.upper);
                    if (sign * (wr - wl) < 0) continue;
                    gain = 0.5 * (objective(left, wl) + objective(right, wr) - bounded_parent);
                }
                if (gain > best.gain) best = {gain, static_cast<int>(b), left};
            }
        });
        return candidates;
    }

    /// Splits each node of the level (at depth `d`) on its best feature (the first in feature order
    /// among equal gains) if that gains more than min_split_gain, else makes it a leaf. Records the
    /// splits in `tree` and `gains`, partitions the nodes' rows, and returns the children, two per
    /// split node; `parents` gets (the node's level index, its left child's index) for each.
    std::vector<Node> split_level(const std::vector<Node>& level, int d, const std::vector<SplitCandidate>& candidates,
                                  const std::vector<std::size_t>& active, std::vector<std::int32_t>& rows,
                                  FlatTree& tree, std::vector<double>& gains,
                                  std::vector<std::pair<std::size_t, std::size_t>>& parents) {
        const auto na = active.size();
        std::vector<Node> children;
        std::vector<std::int32_t> scratch;
        for (std::size_t k = 0; k < level.size(); ++k) {
            const Node& node = level[k];
            const SplitCandidate* node_candidates = candidates.data() + k * na;
            std::size_t best_a = na;
            for (std::size_t a = 0; a < na; ++a)
                if (node_candidates[a].bin >= 0 &&
                    (best_a == na || node_candidates[a].gain > node_candidates[best_a].gain))
                    best_a = a;
            if (best_a == na || !(node_candidates[best_a].gain > options.min_split_gain)) {
                tree.leaf[tree.leaf_below(node.heap, d)] = leaf_value(node);
                continue;
            }
            const auto& best = node_candidates[best_a];
            const auto f = active[best_a];
            tree.split_feature[node.heap] = static_cast<std::int32_t>(f);
            tree.split_bin[node.heap] = static_cast<std::uint8_t>(best.bin);
            tree.threshold[node.heap] = cuts[f][static_cast<std::size_t>(best.bin)];
            gains[f] += best.gain;
            const auto middle = partition_rows(rows, node, f, best.bin, scratch);
            const GradientPair right{node.sum.gradient - best.left.gradient, node.sum.hessian - best.left.hessian};
            parents.emplace_back(k, children.size());
            Node l{2 * node.heap + 1, node.begin, middle, best.left, node.lower, node.upper};
            Node r{2 * node.heap + 2, middle, node.end, right, node.lower, node.upper};
            if (const int sign = direction[f]; sign != 0) {
                // Every value below the left child stays on its side of the children's midpoint.
                const double mid =
                    (weight(best.left, node.lower, node.upper) + weight(right, node.lower, node.upper)) / 2;
                if (sign > 0) l.upper = r.lower = mid;
                else l.lower = r.upper = mid;
            }
            children.push_back(l);
            children.push_back(r);
        }
        return children;
    }

    /// Stable partition of `node`'s rows: those whose bin of `feature` is <= `bin` first; returns
    /// where the others start.
    std::size_t partition_rows(std::vector<std::int32_t>& rows, const Node& node, std::size_t feature, int bin,
                               std::vector<std::int32_t>& scratch) const {
        const std::uint8_t* column = train_bins.data() + feature * train_size;
        scratch.clear();
        std::size_t kept = node.begin;
        for (std::size_t i = node.begin; i < node.end; ++i) {
            const auto r = rows[i];
            if (column[static_cast<std::size_t>(r)] <= bin) rows[kept++] = r;
            else scratch.push_back(r);
        }
        std::copy(scratch.begin(), scratch.end(), rows.begin() + static_cast<std::ptrdiff_t>(kept));
        return kept;
    }

    /// The histograms of the children into `out`: the smaller child's built from its rows, its
    /// sibling's as the parent's minus it.
    void child_histograms(const std::vector<Node>& children,
                          const std::vector<std::pair<std::size_t, std::size_t>>& parents,
                          const std::vector<GradientPair>& parent_histograms, std::vector<GradientPair>& out,
                          const std::vector<std::size_t>& active, const std::vector<std::int32_t>& rows) {
        const auto na = active.size();
        out.resize(children.size() * total_bins);
        pool.run(parents.size() * na, [&](std::size_t task) {
            const auto [k, left] = parents[task / na];
            const auto f = active[task % na];
            const bool left_smaller =
                children[left].end - children[left].begin <= children[left + 1].end - children[left + 1].begin;
            const auto small = left_smaller ? left : left + 1, large = left_smaller ? left + 1 : left;
            GradientPair* small_histogram = out.data() + small * total_bins + bin_offset[f];
            GradientPair* large_histogram = out.data() + large * total_bins + bin_offset[f];
            const GradientPair* parent_histogram = parent_histograms.data() + k * total_bins + bin_offset[f];
            build_histogram(small_histogram, children[small], f, rows);
            for (std::size_t b = 0; b <= cuts[f].size(); ++b)
                large_histogram[b] = {parent_histogram[b].gradient - small_histogram[b].gradient,
                                      parent_histogram[b].hessian - small_histogram[b].hessian};
        });
    }

    /// Adds the tree's leaf to the score of every training and validation row.
    void add_to_scores(const FlatTree& tree) {
        constexpr std::size_t chunk = 2048;
        pool.run((train_size + chunk - 1) / chunk, [&](std::size_t c) {
            for (std::size_t r = c * chunk; r < std::min(train_size, (c + 1) * chunk); ++r)
                train_score[r] += tree.walk(train_bins, train_size, r);
        });
        for (std::size_t r = 0; r < valid_size; ++r) valid_score[r] += tree.walk(valid_bins, valid_size, r);
    }

    void append_to_model(const FlatTree& tree) {
        model.split_feature_.insert(model.split_feature_.end(), tree.split_feature.begin(), tree.split_feature.end());
        model.split_threshold_.insert(model.split_threshold_.end(), tree.threshold.begin(), tree.threshold.end());
        model.leaf_value_.insert(model.leaf_value_.end(), tree.leaf.begin(), tree.leaf.end());
        ++model.trees_;
    }

    // ---- After boosting ----

    /// Each feature's importance: its split gains summed over the trees kept.
    void sum_importance(const std::vector<std::vector<double>>& tree_gains) {
        model.importance_.assign(features, 0.0);
        for (int i = 0; i < model.trees_; ++i)
            for (std::size_t f = 0; f < features; ++f)
                model.importance_[f] += tree_gains[static_cast<std::size_t>(i)][f];
    }

    /// Pairwise order scores carry no unit: maps them to log(seconds) by least squares on the
    /// training rows. The slope is kept positive so calibration never reverses the ranking.
    void calibrate_order_scores(const Eigen::MatrixXd& prepared, const std::vector<Eigen::Index>& train_rows) {
        const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major = prepared;
        std::vector<double> s(train_size);
        for (std::size_t i = 0; i < train_size; ++i) s[i] = model.score_prepared(row_major.row(train_rows[i]).data());
        const auto n = static_cast<double>(train_size);
        const double ms = std::accumulate(s.begin(), s.end(), 0.0) / n;
        const double my = std::accumulate(train_target.begin(), train_target.end(), 0.0) / n;
        double sxy = 0, sxx = 0;
        for (std::size_t i = 0; i < train_size; ++i)
            sxy += (s[i] - ms) * (train_target[i] - my), sxx += (s[i] - ms) * (s[i] - ms);
        model.calibration_slope_ = sxx > 0 ? std::max(sxy / sxx, 1e-6) : 1.0;
        model.calibration_offset_ = my - model.calibration_slope_ * ms;
    }
};

GradientBoostedTrees::GradientBoostedTrees(GbtOptions options) : options_(std::move(options)) {
    check_options(options_);
}

void GradientBoostedTrees::fit(const TrainingSet& data) {
    check_options(options_);
    if (options_.bags > 1) {
        fit_bagged(data);
        return;
    }
    pipeline_ = FeaturePipeline::fit(data, options_.features);
    const Eigen::MatrixXd prepared = pipeline_.transform(data.features);
    const auto rows = data.rows();
    const auto groups = group_rows(data.groups, rows);
    const auto [train_rows, valid_rows] = hold_out_for_validation(options_, groups, rows);

    split_feature_.clear();
    split_threshold_.clear();
    leaf_value_.clear();
    validation_.clear();
    trees_ = 0;
    depth_ = options_.max_depth;
    calibration_offset_ = 0;
    calibration_slope_ = 1;

    const unsigned threads = options_.threads ? options_.threads : std::max(1u, std::thread::hardware_concurrency());
    GbtTrainer trainer(options_, *this, threads);
    trainer.bin_features(prepared, train_rows, valid_rows, pipeline_.names());
    trainer.set_target(boosting_target(data, pipeline_, options_.center_groups, groups), train_rows, valid_rows);
    trainer.index_groups(groups, train_rows, valid_rows, rows);
    trainer.sum_importance(trainer.boost());
    if (options_.objective == GbtObjective::pairwise) trainer.calibrate_order_scores(prepared, train_rows);
}

void GradientBoostedTrees::fit_bagged(const TrainingSet& data) {
    std::vector<GradientBoostedTrees> bag;
    for (int k = 0; k < options_.bags; ++k) {
        GbtOptions o = options_;
        o.bags = 1;
        o.seed = options_.seed + static_cast<std::uint64_t>(k);
        bag.emplace_back(std::move(o)).fit(data);
    }
    // One model whose score is the bag's mean log prediction: each member's leaves and base
    // score carried through its own calibration and weighted 1 / bags, the calibration then the
    // identity.
    const double share = 1.0 / static_cast<double>(bag.size());
    pipeline_ = bag.front().pipeline_;
    depth_ = bag.front().depth_;
    trees_ = 0;
    split_feature_.clear();
    split_threshold_.clear();
    leaf_value_.clear();
    validation_.clear();
    base_score_ = 0;
    importance_.assign(bag.front().importance_.size(), 0.0);
    for (const auto& m : bag) {
        split_feature_.insert(split_feature_.end(), m.split_feature_.begin(), m.split_feature_.end());
        split_threshold_.insert(split_threshold_.end(), m.split_threshold_.begin(), m.split_threshold_.end());
        for (double v : m.leaf_value_) leaf_value_.push_back(v * m.calibration_slope_ * share);
        base_score_ += (m.calibration_offset_ + m.calibration_slope_ * m.base_score_) * share;
        trees_ += m.trees_;
        for (std::size_t f = 0; f < importance_.size(); ++f) importance_[f] += m.importance_[f] * share;
    }
    calibration_offset_ = 0;
    calibration_slope_ = 1;
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
    if (depth < 1 || depth > max_supported_depth)
        in.fail_here("max_depth {} is out of 1..{}", depth, max_supported_depth);
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
