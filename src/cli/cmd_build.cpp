// simtune build: C kernel + buffers → kernel binary.
#include <filesystem>
#include <iostream>
#include <iterator>

#include "common.hpp"
#include "simtune/build.hpp"

namespace simtune::cli {

int cmd_build(std::span<const std::string> argv) {
    ArgParser args("simtune build", "[options] --buffers SPEC SOURCE.c",
                   "Compiles a C kernel (defining `void simtune_kernel(T0* b0, T1* b1, ...)`, one pointer per buffer)\n"
                   "for a target and links it with simtune's harness into a static kernel binary. Prints the binary's\n"
                   "path (in the build cache, or FILE with -o).");
    args.positional("SOURCE.c", "the kernel's C source ('-' reads stdin)")
        .option(
            "buffers", "SPEC",
            "the kernel's buffers in argument order, NAME:TYPE:COUNT:ROLE;... (TYPE f32|f64|i32|i8, ROLE in|out|inout)")
        .option("flag", "FLAG", "extra compiler flag for the kernel, e.g. --flag -O3", std::nullopt, 0, true)
        .option("output", "FILE", "copy the built binary to FILE", std::nullopt, 'o')
        .flag("no-cache", "rebuild even if the build cache holds this binary")
        .flag("json", "print a JSON object instead of the path");
    add_target_option(args, "host-x86-64");
    args.epilog("example:\n  simtune build add.c --buffers 'a:f32:4096:in;b:f32:4096:in;c:f32:4096:out' --target "
                "cortex-a72 -o add.elf");
    if (!args.parse(argv)) return exit_ok;

    const auto source_path = args.positionals().at(0);
    const std::string source =
        source_path == "-" ? std::string(std::istreambuf_iterator<char>(std::cin), {}) : read_text_file(source_path);
    const auto buffers = parse_buffer_spec(args.get("buffers"));
    const auto target = resolve_target(args);
    BuildOptions options;
    options.flags = args.get_all("flag");
    options.use_cache = !args.has("no-cache");

    const auto binary = build_kernel(source, buffers, target, options);
    std::filesystem::path result = binary.path();
    if (auto out = args.get_optional("output")) {
        std::error_code ec;
        std::filesystem::copy_file(binary.path(), *out, std::filesystem::copy_options::overwrite_existing, ec);
        if (ec) fail(ErrorKind::io, "cannot copy the binary to '{}': {}", *out, ec.message());
        std::filesystem::permissions(*out,
                                     std::filesystem::perms::owner_exec | std::filesystem::perms::group_exec |
                                         std::filesystem::perms::others_exec,
                                     std::filesystem::perm_options::add, ec);
        result = *out;
    }
    if (args.has("json")) {
        print_json({{"binary", result.string()},
                    {"cached_binary", binary.path().string()},
                    {"target", target.name},
                    {"isa", to_string(binary.isa())},
                    {"content_hash", binary.content_hash()},
                    {"bytes", binary.bytes().size()},
                    {"buffers", to_json(binary.buffers())}});
    } else {
        fmt::print("{}\n", result.string());
    }
    return exit_ok;
}

} // namespace simtune::cli
