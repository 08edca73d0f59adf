// run_process: external programs (compilers, QEMU, native runs) with exit codes, signals, limits.
#include <doctest/doctest.h>

#include <signal.h>

#include <simtune/process.hpp>

#include "support.hpp"

using namespace simtune;

TEST_CASE("a child whose exit status was lost is an error, never a success") {
    // With SIGCHLD ignored the kernel reaps children itself, so their exit status is gone; a host
    // application that reaps with waitpid(-1) does the same. A failing compiler must not then look
    // like one that succeeded.
    REQUIRE(run_process({"false"}).exit_code == 1);
    struct sigaction ignore {
    }, previous{};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGCHLD, &ignore, &previous);
    simtune::testing::check_error([] { (void)run_process({"false"}); }, ErrorKind::io,
                                  {"cannot wait for 'false'", "exit status is unknown"});
    ::sigaction(SIGCHLD, &previous, nullptr);
    // Restored: statuses are seen again.
    CHECK(run_process({"false"}).exit_code == 1);
    CHECK(run_process({"true"}).ok());
}

TEST_CASE("exit codes, signals and time limits are reported as they happened") {
    CHECK(run_process({"sh", "-c", "exit 3"}).exit_code == 3);
    const auto killed = run_process({"sh", "-c", "kill -SEGV $$"});
    CHECK(killed.signal == SIGSEGV);
    CHECK_FALSE(killed.ok());
    ProcessOptions quick;
    quick.timeout = std::chrono::milliseconds(200);
    const auto slow = run_process({"sleep", "5"}, quick);
    CHECK(slow.timed_out);
    CHECK(slow.seconds < 3);
}
