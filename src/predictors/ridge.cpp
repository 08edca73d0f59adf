// Ridge regression: cross-validated penalty by eigendecomposition, final fit by QR.
#include "simtune/predictors/ridge.hpp"

#include <cmath>
#include <limits>

#include <Eigen/Dense>

#include "simtune/predictors/groups.hpp"
#include "simtune/predictors/model_file.hpp"

namespace simtune {

namespace {

void check_options(const RidgeOptions& o) {
    if (o.penalties.empty()) fail(ErrorKind::invalid_argument, "ridge: no candidate penalties");
    for (double p : o.penalties)
        if (!(p >= 0) || std::isinf(p))
            fail(ErrorKind::invalid_argument, "ridge: penalty {} is not finite and >= 0", p);
    if (o.folds < 2) fail(ErrorKind::invalid_argument, "ridge: folds must be >= 2, got {}", o.folds);
}

/// Solves min mean((y - Zβ - b)²) + λ|β|² by QR of the augmented system (accurate even for tiny λ).
std::pair<Eigen::VectorXd, double> solve(const Eigen::MatrixXd& z, const Eigen::VectorXd& y, double lambda) {
    const Eigen::RowVectorXd zmean = z.colwise().mean();
    const double ymean = y.mean();
    const auto n = z.rows(), w = z.cols();
    Eigen::MatrixXd a(n + w, w);
    a.topRows(n) = z.rowwise() - zmean;
    a.bottomRows(w) = Eigen::MatrixXd::Identity(w, w) * std::sqrt(lambda * static_cast<double>(n));
    Eigen::VectorXd b = Eigen::VectorXd::Zero(n + w);
    b.head(n) = y.array() - ymean;
    Eigen::VectorXd beta = a.colPivHouseholderQr().solve(b);
    return {beta, ymean - zmean.dot(beta)};
}

} // namespace

RidgeRegressor::RidgeRegressor(RidgeOptions options) : options_(std::move(options)) { check_options(options_); }

void RidgeRegressor::fit(const TrainingSet& data) {
    check_options(options_);
    pipeline_ = FeaturePipeline::fit(data, options_.features);
    const Eigen::MatrixXd z = pipeline_.transform(data.features);
    const Eigen::VectorXd y = data.seconds.array().log().matrix() - log_anchors(pipeline_, data.features);
    const auto n = z.rows();

    cv_errors_.clear();
    penalty_ = options_.penalties.front();
    if (options_.penalties.size() > 1 && n >= 2 * options_.folds) {
        // Folds of whole groups when there are enough groups, else of single rows.
        auto groups = group_rows(data.groups, n);
        if (groups.size() < static_cast<std::size_t>(options_.folds)) {
            std::vector<std::vector<Eigen::Index>> singles;
            for (Eigen::Index r = 0; r < n; ++r) singles.push_back({r});
            groups = std::move(singles);
        }
        const auto fold_of_group = assign_folds(groups.size(), options_.folds, options_.seed);
        std::vector<int> fold(static_cast<std::size_t>(n));
        for (std::size_t g = 0; g < groups.size(); ++g)
            for (auto r : groups[g]) fold[static_cast<std::size_t>(r)] = fold_of_group[g];

        cv_errors_.assign(options_.penalties.size(), 0.0);
        for (int f = 0; f < options_.folds; ++f) {
            std::vector<Eigen::Index> train, valid;
            for (Eigen::Index r = 0; r < n; ++r) (fold[static_cast<std::size_t>(r)] == f ? valid : train).push_back(r);
            const Eigen::MatrixXd zt = z(train, Eigen::all);
            const Eigen::VectorXd yt = y(train);
            const Eigen::RowVectorXd zmean = zt.colwise().mean();
            const double ymean = yt.mean();
            const Eigen::MatrixXd zc = zt.rowwise() - zmean;
            const auto nt = static_cast<double>(train.size());
            // One eigendecomposition of the Gram matrix serves every penalty.
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(zc.transpose() * zc / nt);
            const Eigen::VectorXd proj =
                eig.eigenvectors().transpose() * (zc.transpose() * (yt.array() - ymean).matrix() / nt);
            const Eigen::MatrixXd zv = (z(valid, Eigen::all).rowwise() - zmean);
            const Eigen::VectorXd yv = y(valid).array() - ymean;
            for (std::size_t p = 0; p < options_.penalties.size(); ++p) {
                const Eigen::VectorXd d = (eig.eigenvalues().array().max(0.0) + options_.penalties[p]).inverse();
                const Eigen::VectorXd beta = eig.eigenvectors() * (d.array() * proj.array()).matrix();
                cv_errors_[p] += (zv * beta - yv).squaredNorm() / static_cast<double>(n);
            }
        }
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t p = 0; p < cv_errors_.size(); ++p)
            if (cv_errors_[p] < best) best = cv_errors_[p], penalty_ = options_.penalties[p];
    }

    const auto [beta, bias] = solve(z, y, penalty_);
    weights_.assign(beta.data(), beta.data() + beta.size());
    bias_ = bias;
}

double RidgeRegressor::predict(std::span<const double> raw_row) const {
    if (!fitted()) fail(ErrorKind::invalid_argument, "ridge: predict before fit or load");
    const auto w = pipeline_.width();
    double stack[stack_row_capacity];
    std::vector<double> heap;
    double* z = stack;
    if (w > stack_row_capacity) heap.resize(w), z = heap.data();
    pipeline_.transform_row(raw_row, z);
    double s = bias_;
    for (std::size_t j = 0; j < w; ++j) s += weights_[j] * z[j];
    return std::exp(pipeline_.log_anchor(raw_row) + s);
}

Eigen::VectorXd RidgeRegressor::predict(const Eigen::MatrixXd& raw_rows) const {
    if (!fitted()) fail(ErrorKind::invalid_argument, "ridge: predict before fit or load");
    const Eigen::MatrixXd z = pipeline_.transform(raw_rows);
    const Eigen::Map<const Eigen::VectorXd> w(weights_.data(), static_cast<Eigen::Index>(weights_.size()));
    Eigen::VectorXd out(z.rows());
    // Row by row, in the same order of operations as the one-row predict, so both agree exactly.
    const Eigen::VectorXd anchors = log_anchors(pipeline_, raw_rows);
    for (Eigen::Index r = 0; r < z.rows(); ++r) {
        double s = bias_;
        for (Eigen::Index j = 0; j < z.cols(); ++j) s += w[j] * z(r, j);
        out[r] = std::exp(anchors[r] + s);
    }
    return out;
}

std::vector<std::pair<std::string, double>> RidgeRegressor::coefficients() const {
    const auto names = pipeline_.names();
    std::vector<std::pair<std::string, double>> out;
    for (std::size_t j = 0; j < weights_.size(); ++j)
        out.emplace_back(names[j], pipeline_.options().standardise ? weights_[j] / pipeline_.scales()[j] : weights_[j]);
    return out;
}

double RidgeRegressor::intercept() const {
    double b = bias_;
    if (pipeline_.options().standardise)
        for (std::size_t j = 0; j < weights_.size(); ++j)
            b -= weights_[j] * pipeline_.means()[j] / pipeline_.scales()[j];
    return b;
}

ModelWriter RidgeRegressor::writer() const {
    if (!fitted()) fail(ErrorKind::invalid_argument, "ridge: save before fit");
    ModelWriter out(kind);
    out.provenance(options_.target);
    pipeline_.write(out);
    out.number("penalty", penalty_);
    out.number("bias", bias_);
    out.vector("weights", weights_);
    return out;
}

void RidgeRegressor::save(const std::filesystem::path& file) const { writer().save(file); }

std::string RidgeRegressor::text() const { return writer().contents(); }

RidgeRegressor RidgeRegressor::load(const std::filesystem::path& file) { return load(file, {}); }

RidgeRegressor RidgeRegressor::load(const std::filesystem::path& file, std::span<const std::string> expected_features) {
    ModelReader in(file, kind);
    return read(in, expected_features);
}

RidgeRegressor RidgeRegressor::read(ModelReader& in, std::span<const std::string> expected_features) {
    if (in.kind() != kind) in.fail_here("this is a '{}' model, expected a '{}' model", in.kind(), kind);
    RidgeRegressor model;
    model.options_.target = in.provenance();
    model.pipeline_ = FeaturePipeline::read(in, expected_features);
    model.penalty_ = in.number("penalty");
    model.options_.penalties = {model.penalty_};
    model.options_.features = model.pipeline_.options();
    model.bias_ = in.number("bias");
    model.weights_ = in.vector("weights");
    if (model.weights_.size() != model.pipeline_.width())
        in.fail_here("'weights' has {} values, the features need {}", model.weights_.size(), model.pipeline_.width());
    for (double v : model.weights_)
        if (std::isinf(v)) in.fail_here("'weights' holds an infinite value");
    in.finish();
    return model;
}

} // namespace simtune
