// Ensemble: fitting, predicting and the model-file section of several models as one.
#include "simtune/predictors/ensemble.hpp"

#include <cmath>
#include <sstream>

#include "simtune/error.hpp"
#include "simtune/predictors/model_file.hpp"

namespace simtune {

Ensemble::Ensemble(std::vector<Member> members) : members_(std::move(members)) {
    if (members_.empty()) fail(ErrorKind::invalid_argument, "ensemble: no members");
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
    double log_sum = 0;
    for (const auto& m : members_)
        log_sum += std::log(std::visit([&](const auto& model) { return model.predict(raw_row); }, m));
    return std::exp(log_sum / static_cast<double>(members_.size()));
}

Eigen::VectorXd Ensemble::predict(const Eigen::MatrixXd& raw_rows) const {
    Eigen::VectorXd log_sum = Eigen::VectorXd::Zero(raw_rows.rows());
    for (const auto& m : members_)
        log_sum += std::visit([&](const auto& model) { return model.predict(raw_rows); }, m).array().log().matrix();
    return (log_sum / static_cast<double>(members_.size())).array().exp().matrix();
}

ModelWriter Ensemble::writer() const {
    if (!fitted()) fail(ErrorKind::invalid_argument, "ensemble: save before fit");
    ModelWriter out(kind);
    out.provenance(target_);
    out.integer("members", static_cast<std::int64_t>(members_.size()));
    for (const auto& m : members_) out.block("member", std::visit([](const auto& model) { return model.text(); }, m));
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
    in.finish();
    try {
        Ensemble e(std::move(members));
        e.target_ = target;
        return e;
    } catch (const Error& e) {
        in.fail_here("{}", e.what());
    }
}

} // namespace simtune
