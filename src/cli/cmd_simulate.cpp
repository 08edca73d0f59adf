// simtune simulate: kernel binary → Stats.
#include "common.hpp"
#include "simtune/simulators/any_simulator.hpp"

namespace simtune::cli {

int cmd_simulate(std::span<const std::string> argv) {
    ArgParser args("simtune simulate", "[options] BINARY...",
                   "Runs kernel binaries in an instruction-accurate simulator and prints the statistics the\n"
                   "predictors use (instruction mix, branches, memory traffic, simulated caches).");
    args.positional("BINARY", "kernel binaries built by 'simtune build'", 1, 0)
        .option("simulator", "NAME", "unicorn (in-process, fastest) or qemu (QEMU user mode + plugin)", "unicorn")
        .option("collectors", "LIST",
                "what to collect: mix,branches,memory,caches,pipeline,dataflow (dataflow-without-memory: not the walk "
                "with memory), all or none",
                "all")
        .option("max-instructions", "N", "fail a kernel that executes more instructions", "20000000000")
        .option("timeout-ms", "MS", "fail a kernel that simulates longer", "120000")
        .option("sample", "on|P:W:N[:F[:L]]",
                "sampled memory and cache statistics, each estimate with its 95 % interval: every P\n"
                "instructions a warm-up of W to L and a measured window of N; the first F counted\n"
                "exactly (on = 5000000:100000:50000:2000000:1000000; F and L default to those;\n"
                "the 2 M prefix keeps the rankings of regions of a few million instructions)")
        .flag("json", "print a JSON array, one object per binary");
    add_target_option(args);
    args.epilog("The target defaults to the built-in target of the binary's ISA (x86-64: host-x86-64).");
    if (!args.parse(argv)) return exit_ok;

    SimulationLimits limits;
    limits.max_instructions = static_cast<std::uint64_t>(args.get_int("max-instructions", 1, INT64_MAX));
    limits.timeout = std::chrono::milliseconds(args.get_int("timeout-ms", 1, max_timeout.count()));
    const auto collectors = parse_collectors(args.get("collectors"));
    const auto simulator_name = args.get("simulator");
    SamplingOptions sampling;
    if (auto sample = args.get_optional("sample")) sampling = parse_sampling(*sample);
    auto factory = simulator_factory(simulator_name, limits, sampling);
    auto simulator = factory();

    Json out = Json::array();
    for (const auto& path : args.positionals()) {
        const auto binary = load_binary(path, args);
        const auto target = resolve_target(args, binary.isa());
        auto set = collectors.make(target);
        const auto result = simulator.run(binary, target, set);
        if (args.has("json")) {
            out.push_back({{"binary", path},
                           {"target", target.name},
                           {"simulator", simulator.name()},
                           {"collectors", collectors.key()},
                           {"seconds", result.seconds},
                           {"stats", to_json(result.stats)}});
            if (result.sampling) {
                const auto& sm = *result.sampling;
                out.back()["sampling"] = {{"windows", sm.windows},
                                          {"measured_instructions", sm.measured_instructions},
                                          {"retranslations", sm.retranslations},
                                          {"half_width", to_json(sm.half_width)}};
            }
        } else {
            fmt::print("{} on {} ({}, {}, {:.3f} s)\n", path, target.name, simulator.name(), collectors.key(),
                       result.seconds);
            const auto names = Stats::feature_names();
            const auto values = result.stats.to_features();
            const auto half = result.sampling ? result.sampling->half_width.to_features() : decltype(values){};
            for (std::size_t i = 0; i < values.size(); ++i) {
                fmt::print("  {:<16} {:>16}", names[i], static_cast<std::uint64_t>(values[i]));
                if (result.sampling && half[i] > 0) fmt::print(" +- {}", static_cast<std::uint64_t>(half[i]));
                fmt::print("\n");
            }
            if (result.sampling)
                fmt::print("  sampled: {} windows, {} measured instructions, {} retranslations (+- : 95 % interval)\n",
                           result.sampling->windows, result.sampling->measured_instructions,
                           result.sampling->retranslations);
        }
    }
    if (args.has("json")) print_json(out);
    return exit_ok;
}

} // namespace simtune::cli
