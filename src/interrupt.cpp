// The interruption flag and the registry of child process groups. Everything the signal handler
// touches is a lock-free atomic, and kill(2) is async-signal-safe.
#include "simtune/interrupt.hpp"

#include <signal.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "simtune/error.hpp"

namespace simtune {

namespace {

std::atomic<int> requested_signal{0}; // 0: no request; -1: requested without a signal
// Slots of running children's process groups (0 = free). A pool runs at most a few children per
// worker at a time; 1024 slots are far more than any machine's workers.
std::array<std::atomic<pid_t>, 1024> groups{};
static_assert(std::atomic<pid_t>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

void kill_registered_groups() noexcept {
    for (auto& g : groups) {
        const pid_t group = g.load();
        if (group > 0) ::kill(-group, SIGKILL);
    }
}

extern "C" void on_interrupt_signal(int signal) {
    const int saved = errno;
    request_interrupt(signal);
    errno = saved;
}

} // namespace

void install_interrupt_handlers() {
    struct sigaction action {};
    action.sa_handler = on_interrupt_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signal : {SIGINT, SIGTERM, SIGHUP})
        if (::sigaction(signal, &action, nullptr) != 0)
            fail(ErrorKind::io, "cannot install a handler for signal {}: {}", signal, std::strerror(errno));
}

void request_interrupt(int signal) noexcept {
    int expected = 0;
    requested_signal.compare_exchange_strong(expected, signal > 0 ? signal : -1);
    kill_registered_groups();
}

bool interrupt_requested() noexcept { return requested_signal.load() != 0; }

int interrupt_signal() noexcept { return std::max(requested_signal.load(), 0); }

void throw_if_interrupted(const char* what) {
    if (const int s = requested_signal.load(); s != 0) {
        if (s > 0) fail(ErrorKind::cancelled, "{}: interrupted by signal {} ({})", what, s, ::strsignal(s));
        fail(ErrorKind::cancelled, "{}: interrupted", what);
    }
}

void reset_interrupt() noexcept { requested_signal = 0; }

namespace detail {

bool register_process_group(pid_t group) noexcept {
    for (auto& g : groups) {
        pid_t free = 0;
        if (g.compare_exchange_strong(free, group)) return true;
    }
    return false;
}

void unregister_process_group(pid_t group) noexcept {
    for (auto& g : groups) {
        pid_t mine = group;
        if (g.compare_exchange_strong(mine, 0)) return;
    }
}

} // namespace detail

} // namespace simtune
