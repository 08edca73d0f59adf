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
    if (!S_ISREG(st.st_mode))
        fail(ErrorKind::io, "{}: not a regular file (a device, FIFO or socket), refused", name);
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
