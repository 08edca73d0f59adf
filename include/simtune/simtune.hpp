#pragma once
// The umbrella header: the whole public API of simtune.
#include "simtune/collectors/collector_set.hpp"
#include "simtune/concepts.hpp"
#include "simtune/error.hpp"
#include "simtune/events.hpp"
#include "simtune/isa/classify.hpp"
#include "simtune/kernel.hpp"
#include "simtune/simulation.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"
