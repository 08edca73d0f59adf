// The shared utilities of simtune/util.hpp that need a compiled home.
#include "simtune/util.hpp"

#include <fstream>
#include <iterator>

#include "simtune/collectors/selection.hpp"
#include "simtune/error.hpp"

namespace simtune {

std::string read_file(const std::filesystem::path& path, std::string_view what) {
    const std::string name = what.empty() ? path.string() : fmt::format("{} {}", what, path.string());
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) fail(ErrorKind::io, "{}: no such file", name);
    if (std::filesystem::is_directory(status)) fail(ErrorKind::io, "{}: is a directory, not a regular file", name);
    if (!std::filesystem::is_regular_file(status)) fail(ErrorKind::io, "{}: not a regular file", name);
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(ErrorKind::io, "{}: cannot open for reading", name);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(ErrorKind::io, "{}: cannot read", name);
    return bytes;
}

CollectorSelection parse_collectors(std::string_view text) {
    if (text == "all") return CollectorSelection::all();
    if (text == "none") return CollectorSelection::none();
    auto selection = CollectorSelection::none();
    bool any = false;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(',', start);
        if (end == std::string_view::npos) end = text.size();
        auto part = text.substr(start, end - start);
        start = end + 1;
        // Spaces around a name and empty entries ("mix, memory,") are allowed.
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (part.empty()) continue;
        any = true;
        if (part == "mix") selection.mix = true;
        else if (part == "branches") selection.branches = true;
        else if (part == "memory") selection.memory = true;
        else if (part == "caches") selection.caches = true;
        else if (part == "pipeline" || part == "mca") selection.pipeline = true;
        else fail(ErrorKind::invalid_argument, "unknown collector '{}' (known: mix, branches, memory, caches, pipeline, all, none)", part);
    }
    if (!any) fail(ErrorKind::invalid_argument, "the collector list is empty: give mix,branches,memory,caches,pipeline, all or none");
    return selection;
}

} // namespace simtune
