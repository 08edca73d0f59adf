// simtune predict: kernel binary (or C kernel) → predicted run time.
#include "common.hpp"
#include "simtune/build.hpp"

namespace simtune::cli {

int cmd_predict(std::span<const std::string> argv) {
    ArgParser args("simtune predict", "[options] BINARY | --buffers SPEC SOURCE.c",
                   "Predicts the run time of one kernel call on a target: simulates the kernel (building it first if\n"
                   "given as C source) with the simulator the model was trained on, and scores its statistics with\n"
                   "the target's default model or the model given with --model.");
    args.positional("INPUT", "a kernel binary, or a C kernel source (*.c, needs --buffers)")
        .option("buffers", "SPEC", "buffers of a C kernel, NAME:TYPE:COUNT:ROLE;...")
        .option("flag", "FLAG", "extra compiler flag for a C kernel", std::nullopt, 0, true)
        .option("model", "FILE",
                "a model file written by 'simtune train', 'analytic' for the untrained analytic cost model "
                "(default: the target's default model)")
        .option("max-instructions", "N", "fail a kernel that executes more instructions", "20000000000")
        .option("timeout-ms", "MS", "fail a kernel that simulates longer", "120000")
        .flag("json", "print a JSON object");
    add_target_option(args);
    if (!args.parse(argv)) return exit_ok;

    const std::string input = args.positionals().at(0);
    const bool is_source = args.get_optional("buffers").has_value() || input.ends_with(".c");
    std::optional<KernelBinary> binary;
    if (is_source) {
        if (!args.get_optional("buffers"))
            throw UsageError(fmt::format("'{}' looks like C source: give its --buffers", input));
        BuildOptions build;
        build.flags = args.get_all("flag");
        binary =
            build_kernel(read_text_file(input), parse_buffer_spec(args.get("buffers")), resolve_target(args), build);
    } else {
        binary = load_binary(input, args);
    }
    const auto target = resolve_target(args, binary->isa());
    const auto model = resolve_model(args, target);
    SimulationLimits limits;
    limits.max_instructions = static_cast<std::uint64_t>(args.get_int("max-instructions", 1, INT64_MAX));
    limits.timeout = std::chrono::milliseconds(args.get_int("timeout-ms", 1, max_timeout.count()));
    const auto prediction = predict(*binary, target, model, limits);

    if (args.has("json")) {
        print_json({{"input", input},
                    {"binary", binary->path().string()},
                    {"target", target.name},
                    {"predicted_seconds", prediction.seconds},
                    {"simulator", to_string(prediction.simulator)},
                    {"model", prediction.model},
                    {"stats", to_json(prediction.stats)}});
    } else {
        fmt::print("{}: {} per call on {} (model {}, {} stats: {} instructions)\n", input,
                   format_seconds(prediction.seconds), target.name, prediction.model, prediction.simulator,
                   prediction.stats.instructions);
    }
    return exit_ok;
}

} // namespace simtune::cli
