// posix_spawn + poll: the child's stdout/stderr are drained while it runs (a chatty child never
// blocks on a full pipe), and the deadline is enforced by killing the child's process group.
#include "simtune/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "simtune/error.hpp"
#include "simtune/interrupt.hpp"
#include "simtune/simulation.hpp"

extern char** environ;

namespace simtune {

std::string ProcessResult::describe() const {
    if (timed_out) return fmt::format("timed out after {:.1f} s", seconds);
    if (signal) return fmt::format("killed by signal {} ({})", signal, ::strsignal(signal));
    return fmt::format("exit code {}", exit_code);
}

bool program_exists(const std::string& program) {
    if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
    const char* path = std::getenv("PATH");
    std::string_view p = path ? path : "/usr/bin:/bin";
    while (!p.empty()) {
        const auto colon = p.find(':');
        const std::string dir(p.substr(0, colon));
        if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
        if (colon == std::string_view::npos) break;
        p.remove_prefix(colon + 1);
    }
    return false;
}

namespace {

void append_tail(std::string& s, const char* data, std::size_t n, std::size_t max) {
    s.append(data, n);
    if (s.size() > max) s.erase(0, s.size() - max);
}

// posix_spawn has no "set CPU affinity" attribute; the affinity of the parent thread is inherited,
// so pinning is done by temporarily pinning the calling thread around the spawn (serialised).
std::mutex affinity_mutex;

} // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
    if (argv.empty()) fail(ErrorKind::invalid_argument, "run_process: empty command");
    if (options.timeout.count() <= 0 || options.timeout > max_timeout)
        fail(ErrorKind::invalid_argument, "run_process: timeout of {} ms is not in 1 ms .. {} ms",
             options.timeout.count(), max_timeout.count());
    throw_if_interrupted(argv.front().c_str()); // no new child once an interruption is requested
    if (!program_exists(argv[0]))
        fail(ErrorKind::tool_missing,
             "'{}' not found in PATH (run cmake/setup-debian.sh to install simtune's dependencies)", argv[0]);

    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
        fail(ErrorKind::io, "cannot create pipes: {}", std::strerror(errno));

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (options.working_directory) posix_spawn_file_actions_addchdir_np(&actions, options.working_directory->c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);

    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> env;
    if (options.environment) {
        for (const auto& e : *options.environment) env.push_back(const_cast<char*>(e.c_str()));
        env.push_back(nullptr);
    }

    const auto start = std::chrono::steady_clock::now();
    pid_t pid = -1;
    int rc;
    {
        std::unique_lock lock(affinity_mutex, std::defer_lock);
        cpu_set_t saved;
        if (options.cpu) {
            lock.lock();
            sched_getaffinity(0, sizeof saved, &saved);
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(*options.cpu, &one);
            sched_setaffinity(0, sizeof one, &one);
        }
        rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), options.environment ? env.data() : environ);
        if (options.cpu) sched_setaffinity(0, sizeof saved, &saved);
    }
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        fail(ErrorKind::tool_missing, "cannot start '{}': {}", argv[0], std::strerror(rc));
    }
    // From here until it is reaped, an interruption kills the child's group (the signal handler
    // kills every registered group; a request that came before the registration is seen here).
    detail::register_process_group(pid);
    if (interrupt_requested()) ::kill(-pid, SIGKILL);

    ProcessResult result;
    const auto deadline = start + options.timeout;
    std::array<pollfd, 2> fds{{{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}}};
    int open_fds = 2;
    std::array<char, 65536> buf;
    while (open_fds > 0) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::kill(-pid, SIGKILL);
            result.timed_out = true;
            break;
        }
        if (interrupt_requested()) {
            ::kill(-pid, SIGKILL);
            break;
        }
        const int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (n < 0 && errno != EINTR) break;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const auto got = ::read(fds[i].fd, buf.data(), buf.size());
            if (got <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                append_tail(i == 0 ? result.out : result.err, buf.data(), static_cast<std::size_t>(got),
                            options.max_output_bytes);
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    // The pipes closed (or time ran out); the child may still be running if it closed its outputs
    // early: wait for it under the same deadline. waitid(WNOWAIT) leaves the exited child a zombie,
    // so its process-group id cannot be reused while we kill what it left behind in the group;
    // only then is it reaped.
    auto lost = [&](int error) {
        // ECHILD: someone else reaped the child (SIGCHLD ignored, or a host application's
        // waitpid(-1)); its exit status is lost, and "success" would be a guess.
        ::kill(-pid, SIGKILL);
        detail::unregister_process_group(pid);
        fail(ErrorKind::io,
             "cannot wait for '{}' (pid {}): {}; its exit status is unknown (is SIGCHLD ignored, "
             "or does another part of the program reap children?)",
             argv.front(), pid, std::strerror(error));
    };
    siginfo_t info{};
    while (true) {
        info.si_pid = 0;
        const int w =
            ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT | (result.timed_out ? 0 : WNOHANG));
        if (w == 0 && info.si_pid == pid) break;
        if (w < 0 && errno != EINTR) lost(errno);
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(-pid, SIGKILL);
            result.timed_out = true;
            continue;
        }
        if (interrupt_requested()) ::kill(-pid, SIGKILL);
        ::usleep(1000);
    }
    ::kill(-pid, SIGKILL); // anything the child left behind in its group, while the group id is still ours
    detail::unregister_process_group(pid);
    int status = 0;
    pid_t reaped = -1;
    while ((reaped = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {}
    if (reaped != pid) lost(errno);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    if (result.timed_out) {
        result.signal = 0;
        result.exit_code = -1;
    }
    // Killed (or possibly cut short) by an interruption: its result means nothing.
    throw_if_interrupted(argv.front().c_str());
    return result;
}

} // namespace simtune
