// The analytic cost model's cores and arithmetic. The figures are first-order public numbers, not
// fitted to anything: where a source gives a range, the middle is taken; where it gives nothing
// (memory-level parallelism), a round guess is taken and marked as one.
#include "simtune/predictors/analytic_model.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "simtune/error.hpp"

namespace simtune {

namespace {

using C = InsnClass;

void set(CoreModel& core, C c, double cycles) { core.cycles_per_insn[static_cast<std::size_t>(c)] = cycles; }

/// A generic recent x86-64 core (Zen 2/3, Skylake-class).
/// Sources: Agner Fog, "The microarchitecture of Intel, AMD and VIA CPUs" and "Instruction tables"
/// (Zen 2/3 and Skylake chapters); AMD "Software Optimization Guide for AMD Family 19h Processors".
/// Four-wide dispatch; four integer ALUs; one integer multiplier issue per cycle; two FP/SSE
/// pipes usable for add and multiply; two loads and one store per cycle; one taken branch per
/// cycle. Latencies: L2 ≈ 12 cycles, L3 ≈ 40–46 cycles, DRAM ≈ 80 ns (≈ 240 cycles at 3 GHz).
/// Clock: 3.0 GHz (the guest reports no frequency). Memory-level parallelism 4: a guess (the
/// cores track 22+ L1 misses, and prefetchers hide streaming misses; 4 is deliberately cautious).
CoreModel generic_x86_64() {
    CoreModel core;
    core.name = "generic x86-64 (Zen 2/3 / Skylake class)";
    core.ghz = 3.0;
    core.issue_width = 4;
    core.in_order = false;
    set(core, C::int_alu, 0.25);
    set(core, C::mul_div, 1.0);
    set(core, C::fp_scalar, 0.5);
    set(core, C::simd, 0.5);
    set(core, C::load, 0.5);
    set(core, C::store, 1.0);
    set(core, C::branch, 0.5);
    core.taken_branch_cycles = 1.0;
    core.l2_hit_cycles = 12;
    core.llc_hit_cycles = 40;
    core.dram_cycles = 240;
    core.memory_parallelism = 4;
    core.source = "Agner Fog microarchitecture guide + instruction tables (Zen 2/3, Skylake); AMD Family 19h SOG";
    return core;
}

/// Arm Cortex-A72 (Raspberry Pi 4, BCM2711 at 1.5 GHz).
/// Source: Arm "Cortex-A72 Software Optimization Guide" (UAN 0016A), sections 3 and 4: three-wide
/// decode/dispatch; execution pipes: 1 branch, 2 integer, 1 integer multi-cycle (MUL/DIV), 2 FP/
/// ASIMD (F0, F1), 1 load, 1 store. Scalar FP add/multiply/FMA: throughput 2 per cycle; Q-form
/// (128-bit) ASIMD FP arithmetic occupies both F pipes: throughput 1. MUL throughput 1.
/// Latencies: round figures of the order that published Pi 4 / A72 latency measurements report
/// (L2 ≈ 21 cycles, DRAM ≈ 110–130 ns ≈ 180 cycles); not re-measured here (no board). Memory-level parallelism 3: a guess for an out-of-order core
/// with a stride prefetcher and few outstanding line fills.
CoreModel cortex_a72_core() {
    CoreModel core;
    core.name = "Arm Cortex-A72";
    core.ghz = 1.5;
    core.issue_width = 3;
    core.in_order = false;
    set(core, C::int_alu, 0.5);
    set(core, C::mul_div, 1.0);
    set(core, C::fp_scalar, 0.5);
    set(core, C::simd, 1.0);
    set(core, C::load, 1.0);
    set(core, C::store, 1.0);
    set(core, C::branch, 1.0);
    core.taken_branch_cycles = 1.0;
    core.l2_hit_cycles = 21;
    core.llc_hit_cycles = 0; // the cluster's L2 is the last level (Target cortex_a72)
    core.dram_cycles = 180;
    core.memory_parallelism = 3;
    core.source = "Arm Cortex-A72 Software Optimization Guide (UAN 0016A); round published latencies";
    return core;
}

/// SiFive U74 (VisionFive 2, StarFive JH7110 at 1.5 GHz).
/// Source: SiFive "U74-MC Core Complex Manual" (21G1), chapter 3 "U7 RISC-V Core": dual-issue,
/// in-order, 8-stage pipeline; two integer ALU pipes (branches resolve in them); one pipelined
/// integer multiplier (the divider is iterative); one FPU, pipelined, one operation per cycle;
/// one load/store pipe (one memory access per cycle). Correctly predicted taken branches cost
/// a fetch bubble (1 cycle assumed). No vector unit (RV64GC): SIMD never occurs.
/// Latencies: round figures of the order that published JH7110 latency measurements report
/// (L2 ≈ 20 cycles, DRAM ≈ 140 ns ≈ 210 cycles); not re-measured here (no board). Memory-level parallelism 1.5: a guess for an
/// in-order core with a non-blocking data cache.
CoreModel sifive_u74_core() {
    CoreModel core;
    core.name = "SiFive U74";
    core.ghz = 1.5;
    core.issue_width = 2;
    core.in_order = true;
    set(core, C::int_alu, 0.5);
    set(core, C::mul_div, 1.0);
    set(core, C::fp_scalar, 1.0);
    set(core, C::simd, 1.0);
    set(core, C::load, 1.0);
    set(core, C::store, 1.0);
    set(core, C::branch, 0.5);
    core.taken_branch_cycles = 1.0;
    core.l2_hit_cycles = 20;
    core.llc_hit_cycles = 0; // the complex's L2 is the last level (Target sifive_u74)
    core.dram_cycles = 210;
    core.memory_parallelism = 1.5;
    core.source = "SiFive U74-MC Core Complex Manual 21G1; round published latencies";
    return core;
}

double u(std::uint64_t v) { return static_cast<double>(v); }

} // namespace

void CoreModel::validate() const {
    auto positive = [&](double v, std::string_view field) {
        if (!std::isfinite(v) || v <= 0)
            fail(ErrorKind::invalid_argument, "core model '{}': {} must be finite and positive, got {}", name, field,
                 v);
    };
    auto non_negative = [&](double v, std::string_view field) {
        if (!std::isfinite(v) || v < 0)
            fail(ErrorKind::invalid_argument, "core model '{}': {} must be finite and non-negative, got {}", name,
                 field, v);
    };
    positive(ghz, "ghz");
    positive(issue_width, "issue_width");
    positive(memory_parallelism, "memory_parallelism");
    for (std::size_t c = 0; c < insn_class_count; ++c)
        non_negative(cycles_per_insn[c], fmt::format("cycles_per_insn[{}]", to_string(static_cast<InsnClass>(c))));
    non_negative(taken_branch_cycles, "taken_branch_cycles");
    non_negative(l2_hit_cycles, "l2_hit_cycles");
    non_negative(llc_hit_cycles, "llc_hit_cycles");
    non_negative(dram_cycles, "dram_cycles");
}

CoreModel core_model_for(const Target& target) {
    if (target.name == "host-x86-64") return generic_x86_64();
    if (target.name == "cortex-a72") return cortex_a72_core();
    if (target.name == "sifive-u74") return sifive_u74_core();
    fail(ErrorKind::invalid_argument,
         "no analytic core model for target '{}' (known: host-x86-64, cortex-a72, sifive-u74); "
         "describe its core with a CoreModel and call analytic_model(target, core)",
         target.name);
}

std::string AnalyticBreakdown::explain() const {
    return fmt::format("{:.0f} cycles = compute {:.0f} (bound: {}; issue {:.0f}, {} {:.0f}) + memory {:.0f}; {:.3g} s",
                       total_cycles, compute_cycles, bound, issue_cycles, busiest_resource, busiest_resource_cycles,
                       memory_cycles, seconds);
}

AnalyticBreakdown analytic_breakdown(const Stats& s, const CoreModel& core) {
    AnalyticBreakdown b;
    b.issue_cycles = u(s.instructions) / core.issue_width;
    // Loads and stores occupy the memory pipes once per access; the class counts miss x86's
    // compute instructions with a memory operand, the access counts miss nothing.
    const double loads = std::max(u(s.counter(C::load)), u(s.mem_reads));
    const double stores = std::max(u(s.counter(C::store)), u(s.mem_writes));
    const std::array<std::pair<std::string_view, double>, 7> resources{{
        {"int_alu", u(s.counter(C::int_alu)) * core.cost(C::int_alu)},
        {"mul_div", u(s.counter(C::mul_div)) * core.cost(C::mul_div)},
        {"fp/simd", u(s.counter(C::fp_scalar)) * core.cost(C::fp_scalar) + u(s.counter(C::simd)) * core.cost(C::simd)},
        {"load", loads * core.cost(C::load)},
        {"store", stores * core.cost(C::store)},
        {"branch", u(s.counter(C::branch)) * core.cost(C::branch)},
        {"taken branches", core.in_order ? 0.0 : u(s.branches_taken) * core.taken_branch_cycles},
    }};
    if (core.in_order) {
        b.busiest_resource = "class sum";
        for (const auto& [name, cycles] : resources) b.busiest_resource_cycles += cycles;
        b.compute_cycles =
            std::max(b.issue_cycles, b.busiest_resource_cycles) + u(s.branches_taken) * core.taken_branch_cycles;
    } else {
        const auto busiest = std::ranges::max_element(resources, {}, &std::pair<std::string_view, double>::second);
        b.busiest_resource = busiest->first;
        b.busiest_resource_cycles = busiest->second;
        b.compute_cycles = std::max(b.issue_cycles, b.busiest_resource_cycles);
    }
    b.bound = b.issue_cycles >= b.busiest_resource_cycles ? "issue" : b.busiest_resource;
    // Stats count misses per level: an L1D miss pays the L2 hit, an L2 miss the LLC hit, an LLC
    // miss DRAM. Where L2 is the last level, l2_misses == llc_misses and llc_hit_cycles is 0.
    b.memory_cycles = (u(s.l1d_misses) * core.l2_hit_cycles + u(s.l2_misses) * core.llc_hit_cycles +
                       u(s.llc_misses) * core.dram_cycles) /
                      core.memory_parallelism;
    b.total_cycles = b.compute_cycles + b.memory_cycles;
    b.seconds = b.total_cycles / (core.ghz * 1e9);
    return b;
}

TargetModel analytic_model(const Target& target) { return analytic_model(target, core_model_for(target)); }

TargetModel analytic_model(const Target& target, const CoreModel& core) {
    core.validate();
    TargetModel m;
    m.simulator = SimulatorKind::unicorn;
    m.collectors = CollectorSelection::all();
    m.description = fmt::format("analytic:{}", target.name);
    auto shared = std::make_shared<const CoreModel>(core);
    m.scorer = [shared](const Stats& stats) { return analytic_breakdown(stats, *shared).seconds; };
    return m;
}

} // namespace simtune
