#pragma once
// Interruption: SIGINT/SIGTERM (or a host application) ask simtune to stop. The request is a
// process-wide flag; work notices it at safe points and unwinds with Error(cancelled), so every
// scratch directory is removed by its owner and every output file is left complete or as it was.
// Child processes (compilers, QEMU, native runs) are killed at once: run_process registers each
// child's process group, and a request kills every registered group from the signal handler.
//
// The library installs no signal handler by itself: the simtune command does
// (install_interrupt_handlers); an application with its own handlers calls request_interrupt.
#include <sys/types.h>

namespace simtune {

/// Installs handlers for SIGINT, SIGTERM and SIGHUP that call request_interrupt(signal). Further
/// signals while the request is pending only kill the registered children again.
void install_interrupt_handlers();

/// Asks running work to stop: sets the flag and kills every registered child process group.
/// Async-signal-safe. `signal` is remembered (the first one wins) for interrupt_signal().
void request_interrupt(int signal) noexcept;

/// True once request_interrupt ran (and until reset_interrupt).
[[nodiscard]] bool interrupt_requested() noexcept;

/// The signal given to the first request_interrupt, 0 if none.
[[nodiscard]] int interrupt_signal() noexcept;

/// Throws Error(cancelled) naming `what` if an interruption was requested.
void throw_if_interrupted(const char* what);

/// Clears a request (for a host application that goes on after cancelling a batch).
void reset_interrupt() noexcept;

namespace detail {
/// run_process registers a child's process group while it may be running (until it has exited
/// and before it is reaped, so the group id cannot be reused meanwhile). Returns false if the
/// registry is full (the child is then only killed by run_process itself).
bool register_process_group(pid_t group) noexcept;
void unregister_process_group(pid_t group) noexcept;
} // namespace detail

} // namespace simtune
