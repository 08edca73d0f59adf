#pragma once
// The umbrella header of the API a compiler uses: build a kernel for a target, simulate it, score
// it (predict, Scorer, TargetModel), rank candidates with a Tuner, and the seams and parts behind
// them. Research tooling — built-in workloads, datasets, the experiment, native timing, external
// processes — has its own umbrella, simtune/research.hpp.
#include "simtune/build.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/collectors/selection.hpp"
#include "simtune/concepts.hpp"
#include "simtune/error.hpp"
#include "simtune/events.hpp"
#include "simtune/isa/classify.hpp"
#include "simtune/kernel.hpp"
#include "simtune/predict.hpp"
#include "simtune/predictors/analytic_model.hpp"
#include "simtune/predictors/any_predictor.hpp"
#include "simtune/predictors/features.hpp"
#include "simtune/predictors/gbt.hpp"
#include "simtune/predictors/metrics.hpp"
#include "simtune/predictors/ridge.hpp"
#include "simtune/scorer.hpp"
#include "simtune/simulation.hpp"
#include "simtune/simulators/any_simulator.hpp"
#include "simtune/simulators/qemu.hpp"
#include "simtune/simulators/unicorn.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"
#include "simtune/tuning/tuner.hpp"
#include "simtune/util.hpp"
