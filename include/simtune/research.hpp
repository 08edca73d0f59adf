#pragma once
// The umbrella header of simtune's research tooling, on top of the compiler-facing API
// (simtune.hpp): the built-in workload spaces, native timing, datasets of simulated and measured
// variants, the train/rank experiment, sharded runs across ranks, and external processes.
#include "simtune/process.hpp"
#include "simtune/simtune.hpp"
#include "simtune/tuning/dataset.hpp"
#include "simtune/tuning/experiment.hpp"
#include "simtune/tuning/native.hpp"
#include "simtune/tuning/pool.hpp"
#include "simtune/tuning/sharded_run.hpp"
#include "simtune/tuning/workloads.hpp"
