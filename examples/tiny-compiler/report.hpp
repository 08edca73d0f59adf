#pragma once
// The report of why: every ranked candidate with its predicted time and schedule, the failures,
// and the statistics that separate the winner from the median and the naive candidate
// (instructions, loads, stores, L1D misses, vector fraction), with the analytic model's breakdown
// of where their cycles go, and the correctness checks.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <simtune/tuning/pool.hpp>
#include <simtune/predict.hpp>

#include "frontend.hpp"
#include "ir.hpp"
#include "schedule.hpp"
#include "verify.hpp"

namespace tiny {

struct ReportInput {
    const Operator& op;
    const LoopNest& nest;
    const simtune::Target& target;
    const simtune::TargetModel& model;
    const std::string& model_note;
    const std::vector<Schedule>& schedules;               ///< by candidate index; 0 is the naive schedule
    const std::vector<simtune::CandidateResult>& results; ///< Tuner::rank's order
    const std::vector<OutputCheck>& checks;
};

nlohmann::ordered_json report_json(const ReportInput& in);
std::string report_text(const ReportInput& in);

} // namespace tiny
