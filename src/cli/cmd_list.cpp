// simtune targets / simtune workloads: what is built in.
#include "common.hpp"
#include "simtune/tuning/workloads.hpp"

namespace simtune::cli {

int cmd_targets(std::span<const std::string> argv) {
    ArgParser args("simtune targets", "[--json]", "Lists the built-in targets and their simulated cache hierarchies.");
    args.flag("json", "print a JSON array");
    if (!args.parse(argv)) return exit_ok;
    const auto targets = builtin_targets();
    if (args.has("json")) {
        Json out = Json::array();
        for (const auto& t : targets) out.push_back(to_json(t));
        print_json(out);
        return exit_ok;
    }
    auto kib = [](const CacheGeometry& g) {
        return fmt::format("{} KiB/{}-way", g.size_bytes / 1024, g.associativity);
    };
    fmt::print("{:<14} {:<8} {:<24} {:<16} {:<16} {:<16} {}\n", "name", "isa", "compiler", "L1D", "L2", "LLC",
               "native");
    for (const auto& t : targets)
        fmt::print("{:<14} {:<8} {:<24} {:<16} {:<16} {:<16} {}\n", t.name, to_string(t.isa), t.compiler(),
                   kib(t.caches.l1d), kib(t.caches.l2), kib(t.caches.llc), t.native ? "yes" : "no");
    return exit_ok;
}

int cmd_workloads(std::span<const std::string> argv) {
    ArgParser args("simtune workloads", "[--json]",
                   "Lists the workloads (the six built-in ones first, then the rest of the training corpus), their\n"
                   "operator family and the size of their schedule spaces.");
    args.flag("json", "print a JSON array");
    if (!args.parse(argv)) return exit_ok;
    Json out = Json::array();
    if (!args.has("json"))
        fmt::print("{:<34} {:<18} {:>12} {:>9}  {}\n", "name", "family", "MACs", "variants", "buffers");
    for (const auto& w : corpus_workloads()) {
        const auto variants = enumerate_variants(w).size();
        const auto buffers = w.buffers();
        if (args.has("json")) {
            out.push_back({{"name", w.name},
                           {"family", w.family},
                           {"macs", w.macs()},
                           {"dims", w.dims},
                           {"variants", variants},
                           {"buffers", to_json(buffers)}});
        } else {
            fmt::print("{:<34} {:<18} {:>12} {:>9}  {}\n", w.name, w.family, w.macs(), variants,
                       format_buffer_spec(buffers));
        }
    }
    if (args.has("json")) print_json(out);
    return exit_ok;
}

} // namespace simtune::cli
