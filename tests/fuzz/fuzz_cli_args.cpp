// libFuzzer target: the simtune command's argument parser (src/cli/args.cpp) with the options of
// 'simtune dataset' and 'simtune tune' (values, flags, short names, positionals, repeats, --x=y),
// then every typed getter the commands use. Arguments are the input split at NUL bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/args.hpp"

namespace {

simtune::cli::ArgParser make_parser() {
    simtune::cli::ArgParser args("simtune fuzz", "[options] FILE...", "fuzzing the argument parser");
    args.positional("FILE", "inputs", 0, 0)
        .option("out", "FILE", "output", std::nullopt, 'o')
        .option("workloads", "LIST", "workloads", "all")
        .option("variants", "N", "variants", "50")
        .option("seed", "N", "seed", "1")
        .option("ms", "MS", "milliseconds", "2")
        .option("model", "FILE", "models (repeatable)")
        .option("timeout-ms", "MS", "timeout", "120000")
        .flag("quiet", "quiet", 'q')
        .flag("json", "json")
        .epilog("examples: none");
    return args;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> argv;
    std::string current;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            argv.push_back(std::move(current));
            current.clear();
        } else {
            current.push_back(static_cast<char>(data[i]));
        }
    }
    if (!current.empty()) argv.push_back(std::move(current));
    auto args = make_parser();
    try {
        if (!args.parse(argv)) return 0; // --help
        (void)args.has("quiet");
        (void)args.get_optional("out");
        (void)args.get_all("model");
        (void)args.positionals();
        (void)args.get("workloads");
        (void)args.get_int("variants", 0, 1'000'000);
        (void)args.get_int("seed", 0, INT64_MAX);
        (void)args.get_int("timeout-ms", 1, 31'622'400'000);
        (void)args.get_double("ms", 0.1, 60'000);
    } catch (const simtune::cli::UsageError&) {}
    return 0;
}
