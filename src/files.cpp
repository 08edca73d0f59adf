// Files and directories that must not be half-written or trusted blindly: per-user private
// directories in shared places (the system temp directory), where a name anyone can predict is
// trusted only if this user owns it and no one else can enter or write it; atomic text files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "simtune/error.hpp"
#include "simtune/util.hpp"

namespace simtune {

std::filesystem::path private_directory(const std::filesystem::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        fail(ErrorKind::io, "cannot create the private directory {}: {}", dir.string(), std::strerror(errno));
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0)
        fail(ErrorKind::io, "cannot inspect {}: {}", dir.string(), std::strerror(errno));
    if (S_ISLNK(st.st_mode))
        fail(ErrorKind::io, "{} is a symbolic link, not a private directory (remove it, or set another location)",
             dir.string());
    if (!S_ISDIR(st.st_mode))
        fail(ErrorKind::io, "{} exists but is not a directory (remove it, or set another location)", dir.string());
    if (st.st_uid != ::geteuid())
        fail(ErrorKind::io,
             "{} belongs to user id {}, not to this user ({}): its files cannot be trusted (remove it, or "
             "set another location)",
             dir.string(), st.st_uid, ::geteuid());
    if ((st.st_mode & 077) != 0)
        fail(ErrorKind::io,
             "{} has mode {:04o}: others may enter or write it, so its files cannot be trusted "
             "(chmod 700 it, remove it, or set another location)",
             dir.string(), st.st_mode & 07777);
    return dir;
}

std::filesystem::path private_temp_directory(std::string_view name) {
    return private_directory(std::filesystem::temp_directory_path() / fmt::format("{}-{}", name, ::geteuid()));
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
    static std::atomic<unsigned> counter{0};
    auto tmp = path;
    tmp += fmt::format(".{}.{}.tmp", ::getpid(), counter++);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) fail(ErrorKind::io, "cannot write {}: {}", path.string(), std::strerror(errno));
    std::size_t done = 0;
    int error = 0;
    while (done < text.size() && error == 0) {
        const auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) error = n < 0 ? errno : EIO;
        else done += static_cast<std::size_t>(n);
    }
    if (error == 0 && ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    if (error == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
    if (error != 0) {
        ::unlink(tmp.c_str());
        fail(ErrorKind::io, "cannot write {}: {}", path.string(), std::strerror(error));
    }
}

} // namespace simtune
