// Ensemble: fitting, predicting and the model-file section of several models as one.
#include "simtune/predictors/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "simtune/error.hpp"
#include "simtune/predictors/model_file.hpp"

namespace simtune {

Ensemble::Ensemble(std::vector<Member> members, std::vector<double> weights)
    : members_(std::move(members)), weights_(std::move(weights)) {
    if (members_.empty()) fail(ErrorKind::invalid_argument, "ensemble: no members");
    if (weights_.empty()) weights_.assign(members_.size(), 1.0);
    if (weights_.size() != members_.size())
        fail(ErrorKind::invalid_argument, "ensemble: {} weights for {} members", weights_.size(), members_.size());
    for (std::size_t i = 0; i < weights_.size(); ++i)
        if (!std::isfinite(weights_[i]) || weights_[i] <= 0)
            fail(ErrorKind::invalid_argument, "ensemble: member {}'s weight is {}; weights are positive and finite",
                 i + 1, weights_[i]);
    if (fitted()) check_members();
}

void Ensemble::fit(const TrainingSet& data) {
    for (auto& m : members_)
        std::visit(
            [&](auto& model) {
                model.set_target(target_);
                model.fit(data);
            },
            m);
}

bool Ensemble::fitted() const {
    for (const auto& m : members_)
        if (!std::visit([](const auto& model) { return model.fitted(); }, m)) return false;
    return true;
}

void Ensemble::check_members() const {
    const auto& first = features().raw_names();
    for (std::size_t i = 1; i < members_.size(); ++i) {
        const auto& names = std::visit(
            [](const auto& model) -> const std::vector<std::string>& { return model.features().raw_names(); },
            members_[i]);
        if (names != first)
            fail(ErrorKind::invalid_argument,
                 "ensemble: member {} reads other features than member 1 ({} against {} columns)", i + 1, names.size(),
                 first.size());
    }
}

const FeaturePipeline& Ensemble::features() const {
    return std::visit([](const auto& model) -> const FeaturePipeline& { return model.features(); }, members_.front());
}

void Ensemble::set_target(std::string target) {
    target_ = std::move(target);
    for (auto& m : members_) std::visit([&](auto& model) { model.set_target(target_); }, m);
}

double Ensemble::predict(std::span<const double> raw_row) const {
    double log_sum = 0, total = 0;
    for (std::size_t i = 0; i < members_.size(); ++i) {
        log_sum +=
            weights_[i] * std::log(std::visit([&](const auto& model) { return model.predict(raw_row); }, members_[i]));
        total += weights_[i];
    }
    return std::exp(log_sum / total);
}

Eigen::VectorXd Ensemble::predict(const Eigen::MatrixXd& raw_rows) const {
    Eigen::VectorXd log_sum = Eigen::VectorXd::Zero(raw_rows.rows());
    double total = 0;
    for (std::size_t i = 0; i < members_.size(); ++i) {
        log_sum +=
            weights_[i] *
            std::visit([&](const auto& model) { return model.predict(raw_rows); }, members_[i]).array().log().matrix();
        total += weights_[i];
    }
    return (log_sum / total).array().exp().matrix();
}

ModelWriter Ensemble::writer() const {
    if (!fitted()) fail(ErrorKind::invalid_argument, "ensemble: save before fit");
    ModelWriter out(kind);
    out.provenance(target_);
    out.integer("members", static_cast<std::int64_t>(members_.size()));
    for (const auto& m : members_) out.block("member", std::visit([](const auto& model) { return model.text(); }, m));
    if (std::ranges::any_of(weights_, [](double w) { return w != 1.0; })) out.vector("member_weights", weights_);
    return out;
}

std::string Ensemble::text() const { return writer().contents(); }

void Ensemble::save(const std::filesystem::path& file) const { writer().save(file); }

Ensemble Ensemble::load(const std::filesystem::path& file, std::span<const std::string> expected_features) {
    ModelReader in(file, kind);
    return read(in, expected_features);
}

Ensemble Ensemble::read(ModelReader& in, std::span<const std::string> expected_features) {
    if (in.kind() != kind) in.fail_here("this is a '{}' model, expected a '{}' model", in.kind(), kind);
    const auto target = in.provenance();
    const auto count = in.integer("members");
    if (count < 1 || count > 64) in.fail_here("an ensemble has 1 to 64 members, this one {}", count);
    std::vector<Member> members;
    for (std::int64_t i = 0; i < count; ++i) {
        std::istringstream text(in.block("member"));
        const auto name = fmt::format("{} (member {})", in.file().string(), i + 1);
        ModelReader member(text, name, "");
        const auto member_kind = member.kind();
        if (member_kind == RidgeRegressor::kind) members.emplace_back(RidgeRegressor::read(member, expected_features));
        else if (member_kind == GradientBoostedTrees::kind)
            members.emplace_back(GradientBoostedTrees::read(member, expected_features));
        else in.fail_here("member {} is a '{}' model; members are ridge or gbt models", i + 1, member_kind);
    }
    std::vector<double> weights;
    if (in.next_is("member_weights")) weights = in.vector("member_weights");
    in.finish();
    try {
        Ensemble e(std::move(members), std::move(weights));
        e.target_ = target;
        return e;
    } catch (const Error& e) {
        in.fail_here("{}", e.what());
    }
}

} // namespace simtune
