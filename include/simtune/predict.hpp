#pragma once
// The one call a compiler makes: predict(kernel_binary, target) → predicted seconds, with the
// Stats behind the prediction. It simulates the binary (Unicorn by default: in-process and the
// fastest) and scores it with the target's default model — the pretrained model shipped for this
// host's target, or one the user registered with set_default_model().
#include <string>

#include "simtune/kernel.hpp"
#include "simtune/scorer.hpp"
#include "simtune/simulation.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"

namespace simtune {

struct Prediction {
    double seconds = 0;                               ///< predicted run time of one kernel call on the target
    Stats stats;                                      ///< the simulation statistics the prediction was made from
    SimulatorKind simulator = SimulatorKind::unicorn; ///< which simulator produced them
    std::string model;                                ///< which model scored them (file name or "builtin:<target>")
};

/// Simulates `kernel` for `target` and predicts its run time with the target's default model.
Prediction predict(const KernelBinary& kernel, const Target& target);
/// The same with an explicit model.
Prediction predict(const KernelBinary& kernel, const Target& target, const TargetModel& model,
                   SimulationLimits limits = {});

} // namespace simtune
