#include "simtune/tuning/candidate_directory.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "simtune/error.hpp"
#include "simtune/util.hpp"

namespace simtune {

std::vector<BufferSpec> parse_buffer_spec_file(std::string_view text, std::string_view origin) {
    std::vector<BufferSpec> out;
    std::size_t line_number = 0;
    for (std::size_t start = 0; start <= text.size();) {
        const auto end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        ++line_number;
        start = end + 1;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        // Entries of one line are ';'-separated, as on the command line; blanks are padding.
        std::string entries;
        for (char c : line)
            if (c != ' ' && c != '\t' && c != '\r') entries += c;
        std::size_t from = 0;
        while (from < entries.size()) {
            const auto semi = std::min(entries.find(';', from), entries.size());
            if (semi > from) {
                try {
                    for (auto& b : parse_buffer_spec(std::string_view(entries).substr(from, semi - from)))
                        out.push_back(std::move(b));
                } catch (const Error& e) {
                    fail(ErrorKind::invalid_argument, "{}:{}: {}", origin, line_number, e.what());
                }
            }
            from = semi + 1;
        }
    }
    if (out.empty())
        fail(ErrorKind::invalid_argument, "{}: no buffers (expected NAME:TYPE:COUNT:ROLE entries)", origin);
    return out;
}

CandidateDirectory load_candidate_directory(const std::filesystem::path& dir,
                                            const CandidateDirectoryOptions& options) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) fail(ErrorKind::invalid_argument, "{} is not a directory", dir.string());
    std::vector<fs::path> sources, others;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (!entry.is_regular_file()) continue;
        const auto file = entry.path().filename().string();
        if (file.starts_with(".") || file == buffer_spec_file_name) continue;
        (entry.path().extension() == ".c" ? sources : others).push_back(entry.path());
    }
    if (ec) fail(ErrorKind::io, "cannot list {}: {}", dir.string(), ec.message());
    std::ranges::sort(sources);
    std::ranges::sort(others);

    CandidateDirectory out;
    // The directory's own name, also for "." or a path ending in '/'.
    out.name = fs::absolute(dir).lexically_normal().filename().string();
    if (out.name.empty()) out.name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
    out.from_sources = !sources.empty();
    out.files = out.from_sources ? sources : others;
    if (out.files.empty())
        fail(ErrorKind::invalid_argument,
             "no candidates in {}: expected C sources (*.c, each defining simtune_kernel) or kernel binaries",
             dir.string());

    std::map<std::string, fs::path> stems; // two files of one stem would be one name in every output
    for (const auto& f : out.files) {
        const auto [it, fresh] = stems.emplace(f.stem().string(), f);
        if (!fresh)
            fail(ErrorKind::invalid_argument, "{} and {} would both be candidate '{}': rename one", it->second.string(),
                 f.string(), it->first);
    }

    if (out.from_sources) {
        out.buffers = options.buffers;
        if (out.buffers.empty()) {
            const auto spec_file = dir / buffer_spec_file_name;
            if (!fs::exists(spec_file))
                fail(ErrorKind::invalid_argument,
                     "{} holds C sources but no buffers: give them (--buffers NAME:TYPE:COUNT:ROLE;...) or write them "
                     "to {}",
                     dir.string(), spec_file.string());
            out.buffers = parse_buffer_spec_file(read_file(spec_file, "buffer-spec file"), spec_file.string());
        }
        for (const auto& f : out.files)
            out.candidates.push_back(
                Candidate::from_source(f.stem().string(), read_file(f, "kernel source"), out.buffers, options.flags));
        return out;
    }
    for (const auto& f : out.files) {
        // Absolute, so a binary run natively is never looked up in PATH.
        auto binary = KernelBinary::load(fs::absolute(f), options.isa ? options.isa : out.isa);
        out.isa = binary.isa();
        out.candidates.push_back(Candidate::from_binary(f.stem().string(), std::move(binary)));
    }
    return out;
}

} // namespace simtune
