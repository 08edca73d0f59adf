#pragma once
// The one call a compiler makes: predict(kernel_binary, target) → predicted seconds, with the
// Stats behind the prediction. It simulates the binary (Unicorn by default: in-process and the
// fastest) and scores it with the target's default model — the pretrained model shipped for this
// host's target, or one the user registered with set_default_model().
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "simtune/collectors/selection.hpp"
#include "simtune/kernel.hpp"
#include "simtune/simulation.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"
#include "simtune/tuning/tuner.hpp"

namespace simtune {

struct Prediction {
    double seconds = 0;       ///< predicted run time of one kernel call on the target
    Stats stats;              ///< the simulation statistics the prediction was made from
    std::string simulator;    ///< which simulator produced them
    std::string model;        ///< which model scored them (file name or "builtin:<target>")
};

/// A trained model as a scorer plus what it needs: the simulator and collectors its training
/// data came from (a model trained on QEMU stats must be fed QEMU stats).
struct TargetModel {
    Scorer scorer;
    std::string simulator = "unicorn";
    CollectorSelection collectors;
    std::string description;
};

/// Loads a model file written by a predictor's save() (either kind) as a TargetModel.
TargetModel load_target_model(const std::filesystem::path& file);

/// The default model for `target`: one registered with set_default_model, else the pretrained
/// model shipped with simtune for that target. Throws Error(invalid_model) if there is none.
TargetModel default_model(const Target& target);
/// Registers `model` as the default for targets named `target_name` (thread-safe).
void set_default_model(const std::string& target_name, TargetModel model);

/// Simulates `kernel` for `target` and predicts its run time with the target's default model.
Prediction predict(const KernelBinary& kernel, const Target& target);
/// The same with an explicit model.
Prediction predict(const KernelBinary& kernel, const Target& target, const TargetModel& model,
                   SimulationLimits limits = {});

} // namespace simtune
