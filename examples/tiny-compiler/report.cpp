// Report rendering. The "why" compares three candidates picked from the ranking: the winner, the
// median of the ranked candidates, and the naive schedule.
#include "report.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include <simtune/predictors/analytic_model.hpp>

namespace tiny {

namespace {

using simtune::CandidateResult;
using simtune::InsnClass;
using simtune::Stats;

std::vector<const CandidateResult*> ranked(const ReportInput& in) {
    std::vector<const CandidateResult*> r;
    for (const auto& c : in.results)
        if (c.ok()) r.push_back(&c);
    return r;
}

double vector_fraction(const Stats& s) {
    return s.instructions ? static_cast<double>(s.counter(InsnClass::simd)) / static_cast<double>(s.instructions) : 0.0;
}

/// The winner, median and naive candidates with their 1-based ranks.
std::vector<std::pair<std::string, std::pair<std::size_t, const CandidateResult*>>> compared(const ReportInput& in) {
    const auto r = ranked(in);
    std::size_t naive_rank = 0;
    for (std::size_t i = 0; i < r.size(); ++i)
        if (r[i]->index == 0) naive_rank = i;
    const std::size_t median = r.size() / 2;
    return {{"winner", {1, r[0]}}, {"median", {median + 1, r[median]}}, {"naive", {naive_rank + 1, r[naive_rank]}}};
}

std::string analytic_explanation(const ReportInput& in, const Stats& s) {
    try {
        return simtune::analytic_breakdown(s, simtune::core_model_for(in.target)).explain();
    } catch (const simtune::Error&) {
        return "(no analytic core model for this target)";
    }
}

nlohmann::ordered_json stats_json(const Stats& s) {
    return {{"instructions", s.instructions},
            {"loads", s.mem_reads},
            {"stores", s.mem_writes},
            {"l1d_misses", s.l1d_misses},
            {"l2_misses", s.l2_misses},
            {"simd_instructions", s.counter(InsnClass::simd)},
            {"vector_fraction", vector_fraction(s)},
            {"branches_taken", s.branches_taken}};
}

} // namespace

nlohmann::ordered_json report_json(const ReportInput& in) {
    nlohmann::ordered_json j;
    j["operator"] = in.op.text;
    j["target"] = in.target.name;
    j["model"] = {{"description", in.model.description},
                  {"kind", in.model.description.starts_with("analytic:") ? "analytic" : "trained"},
                  {"simulator", to_string(in.model.simulator)},
                  {"note", in.model_note}};
    j["schedule_space_size"] = schedule_space(in.nest).size();
    const auto r = ranked(in);
    j["requested"] = in.results.size();
    j["ranked"] = r.size();
    j["failed"] = in.results.size() - r.size();
    auto& cands = j["candidates"] = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < r.size(); ++i) {
        nlohmann::ordered_json c{{"rank", i + 1},
                                 {"name", r[i]->name},
                                 {"naive", r[i]->index == 0},
                                 {"schedule", in.schedules[r[i]->index].describe()},
                                 {"predicted_seconds", r[i]->predicted_seconds}};
        // Ranked under the near-tie gate: the estimate that decided which candidates the model ordered.
        if (std::isfinite(r[i]->estimate_cycles)) c["estimate_cycles"] = r[i]->estimate_cycles;
        if (r[i]->measured_seconds) c["measured_seconds"] = *r[i]->measured_seconds;
        c["stats"] = stats_json(*r[i]->stats);
        cands.push_back(c);
    }
    auto& fails = j["failures"] = nlohmann::ordered_json::array();
    for (const auto& c : in.results)
        if (!c.ok())
            fails.push_back({{"name", c.name}, {"schedule", in.schedules[c.index].describe()}, {"error", c.error}});
    for (const auto& [role, entry] : compared(in)) {
        const auto& [rank, c] = entry;
        j[role] = {{"name", c->name},
                   {"rank", rank},
                   {"schedule", in.schedules[c->index].describe()},
                   {"predicted_seconds", c->predicted_seconds},
                   {"stats", stats_json(*c->stats)},
                   {"analytic_breakdown", analytic_explanation(in, *c->stats)}};
    }
    j["winner"]["file"] = "kernel.c";
    j["predicted_speedup_vs_naive"] = j["naive"]["predicted_seconds"].get<double>() / r[0]->predicted_seconds;
    auto& checks = j["verification"] = nlohmann::ordered_json::array();
    for (const auto& c : in.checks)
        checks.push_back({{"name", c.name},
                          {"method", c.method},
                          {"max_abs_diff", c.max_abs_diff},
                          {"tolerance", c.tolerance},
                          {"ok", c.ok}});
    return j;
}

std::string report_text(const ReportInput& in) {
    const auto r = ranked(in);
    std::string t;
    t += fmt::format("operator   {}\ntarget     {}\nranked by  {} (simulator {}): {}\n", in.op.text, in.target.name,
                     in.model.description, in.model.simulator, in.model_note);
    t += fmt::format("candidates {} ranked, {} failed\n\n", r.size(), in.results.size() - r.size());
    t += fmt::format("{:>4} {:>11} {:>10} {:>9} {:>8} {:>9} {:>5}  {}\n", "rank", "predicted", "instr", "loads",
                     "stores", "L1D miss", "vec%", "schedule");
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (i >= 8 && r[i]->index != 0 && i + 1 != r.size()) continue; // the top 8, the naive one and the last
        const auto& s = *r[i]->stats;
        t += fmt::format("{:>4} {:>10.4g}s {:>10} {:>9} {:>8} {:>9} {:>5.1f}  {}{}{}\n", i + 1, r[i]->predicted_seconds,
                         s.instructions, s.mem_reads, s.mem_writes, s.l1d_misses, 100 * vector_fraction(s),
                         in.schedules[r[i]->index].describe(), r[i]->index == 0 ? "  [naive]" : "",
                         r[i]->measured_seconds ? fmt::format("  measured {:.4g}s", *r[i]->measured_seconds) : "");
    }
    for (const auto& c : in.results)
        if (!c.ok()) t += fmt::format("FAILED {}: {}\n", c.name, c.error);

    const auto cmp = compared(in);
    const auto& w = *cmp[0].second.second->stats;
    t += "\nwhy the winner: its statistics against the median and the naive candidate\n";
    t += fmt::format("{:<8} {:>5} {:>11} {:>10} {:>9} {:>8} {:>9} {:>6}\n", "", "rank", "predicted", "instr", "loads",
                     "stores", "L1D miss", "vec%");
    for (const auto& [role, entry] : cmp) {
        const auto& [rank, c] = entry;
        const auto& s = *c->stats;
        t += fmt::format("{:<8} {:>5} {:>10.4g}s {:>10} {:>9} {:>8} {:>9} {:>6.1f}\n", role, rank, c->predicted_seconds,
                         s.instructions, s.mem_reads, s.mem_writes, s.l1d_misses, 100 * vector_fraction(s));
    }
    const auto& n = *cmp[2].second.second->stats;
    auto ratio = [](std::uint64_t a, std::uint64_t b) {
        return b ? fmt::format("{:.2f}x", static_cast<double>(a) / static_cast<double>(b)) : std::string("n/a");
    };
    t += fmt::format("winner vs naive: predicted {:.2f}x faster; instructions {}, loads {}, stores {}, L1D misses {} "
                     "of the naive's\n",
                     cmp[2].second.second->predicted_seconds / cmp[0].second.second->predicted_seconds,
                     ratio(w.instructions, n.instructions), ratio(w.mem_reads, n.mem_reads),
                     ratio(w.mem_writes, n.mem_writes), ratio(w.l1d_misses, n.l1d_misses));
    t += "where the cycles go (analytic model's breakdown, for explanation):\n";
    for (const auto& [role, entry] : cmp)
        t += fmt::format("  {:<7} {}\n", role, analytic_explanation(in, *entry.second->stats));

    t += "\ncorrectness (output tensor against the naive schedule's):\n";
    for (const auto& c : in.checks)
        t += fmt::format("  {:<7} {:<40} max |diff| {:.3g} (allowed {:.3g}) {}\n", c.method, c.name, c.max_abs_diff,
                         c.tolerance, c.ok ? "ok" : "MISMATCH");
    if (in.checks.empty()) t += "  (the winner is the naive schedule: nothing to compare)\n";
    return t;
}

} // namespace tiny
