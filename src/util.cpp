// The shared utilities of simtune/util.hpp that need a compiled home.
#include "simtune/util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "simtune/collectors/selection.hpp"
#include "simtune/error.hpp"

namespace simtune {

std::string read_file(const std::filesystem::path& path, std::string_view what, std::uintmax_t max_bytes) {
    const std::string name = what.empty() ? path.string() : fmt::format("{} {}", what, path.string());
    // Opened first (non-blocking, so a FIFO cannot hang the open), then checked on the descriptor:
    // what is read is what was checked, even if the name is replaced in between.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR) fail(ErrorKind::io, "{}: no such file", name);
        fail(ErrorKind::io, "{}: cannot open for reading: {}", name, std::strerror(error));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail(ErrorKind::io, "{}: cannot inspect: {}", name, std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail(ErrorKind::io, "{}: is a directory, not a regular file", name);
    if (!S_ISREG(st.st_mode)) fail(ErrorKind::io, "{}: not a regular file (a device, FIFO or socket), refused", name);
    if (static_cast<std::uintmax_t>(st.st_size) > max_bytes)
        fail(ErrorKind::io, "{}: {} bytes, larger than the limit of {} bytes", name, st.st_size, max_bytes);
    std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t done = 0;
    while (true) {
        if (done == bytes.size()) {
            // The file may have grown since fstat: read on, within the limit.
            if (bytes.size() >= max_bytes) {
                char probe = 0;
                const auto n = ::read(fd, &probe, 1);
                if (n > 0) fail(ErrorKind::io, "{}: grew past the limit of {} bytes while being read", name, max_bytes);
                if (n < 0 && errno == EINTR) continue;
                break;
            }
            bytes.resize(static_cast<std::size_t>(std::min<std::uintmax_t>(max_bytes, bytes.size() + 65536)));
        }
        const auto n = ::read(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(ErrorKind::io, "{}: cannot read: {}", name, std::strerror(errno));
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    bytes.resize(done);
    return bytes;
}

std::vector<std::string> split_list(std::string_view text, char separator) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(separator, start);
        if (end == std::string_view::npos) end = text.size();
        auto item = text.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        start = end + 1;
    }
    return out;
}

CollectorSelection parse_collectors(std::string_view text) {
    if (text == "all") return CollectorSelection::all();
    if (text == "none") return CollectorSelection::none();
    // Spaces around a name and empty entries ("mix, memory,") are allowed.
    const auto names = split_list(text);
    if (names.empty())
        fail(ErrorKind::invalid_argument,
             "the collector list is empty: give mix,branches,memory,caches,pipeline,dataflow, all or none");
    auto selection = CollectorSelection::none();
    for (const auto& name : names) {
        if (name == "mix") selection.mix = true;
        else if (name == "branches") selection.branches = true;
        else if (name == "memory") selection.memory = true;
        else if (name == "caches") selection.caches = true;
        else if (name == "warm-caches" || name == "steady-caches") {
            selection.caches = true;
            selection.cache_start = name == "warm-caches" ? CacheStart::warm : CacheStart::steady;
        } else if (name == "pipeline" || name == "mca") selection.pipeline = true;
        else if (name == "dataflow") selection.dataflow = true;
        else if (name == "dataflow-without-memory") { // the plain walk only, even with the caches
            selection.dataflow = true;
            selection.dataflow_memory = false;
        } else
            fail(ErrorKind::invalid_argument,
                 "unknown collector '{}' (known: mix, branches, memory, caches, warm-caches, steady-caches, pipeline, "
                 "dataflow, dataflow-without-memory, all, none)",
                 name);
    }
    return selection;
}

} // namespace simtune
