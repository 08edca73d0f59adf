#pragma once
// The umbrella header: the whole public API of simtune.
#include "simtune/build.hpp"
#include "simtune/concepts.hpp"
#include "simtune/error.hpp"
#include "simtune/events.hpp"
#include "simtune/isa/classify.hpp"
#include "simtune/kernel.hpp"
#include "simtune/process.hpp"
#include "simtune/simulation.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"
#include "simtune/tuning/workloads.hpp"
#include "simtune/tuning/native.hpp"
