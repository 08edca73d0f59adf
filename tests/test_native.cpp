// Specification of native timing: interleaved passes on alternating CPUs, minimum over passes,
// the noise figure, remote command templates, and errors for kernels that crash or hang.
#include <doctest/doctest.h>

#include <fstream>

#include <fmt/ranges.h>

#include <simtune/research.hpp>

using namespace simtune;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    fs::path dir = fs::temp_directory_path() / fmt::format("simtune-test-native-{}", ::getpid());
    BuildOptions opts;
    Fixture() { opts.cache_dir = dir; }
    ~Fixture() { fs::remove_all(dir); }

    KernelBinary scale(
        int n,
        std::string body = "for (int r = 0; r < N; ++r) for (int i = 0; i < N; ++i) x[i] = x[i] * 0.5f + 1.0f;") const {
        const std::string src = fmt::format("#define N {}\nvoid simtune_kernel(float *x) {{ {} }}\n", n, body);
        const std::vector<BufferSpec> b{{"x", ElemType::f32, static_cast<std::uint64_t>(n), BufferRole::inout}};
        return build_kernel(src, b, host_x86_64(), opts);
    }
};

} // namespace

TEST_CASE_FIXTURE(Fixture, "interleaved passes give each candidate its minimum, median and spread") {
    const std::vector<KernelBinary> kernels{scale(256), scale(1024)}; // 16x more work
    NativeTimingOptions o;
    o.passes = 4;
    o.ms_per_measurement = 10;
    o.max_extra_passes = 0; // the noise gate off: exactly the planned passes
    std::size_t calls = 0;
    o.progress = [&](std::size_t done, std::size_t total) {
        ++calls;
        CHECK(done <= total);
        CHECK(total == 8);
    };
    const NativeRunner runner(o);
    const auto t = runner.measure(kernels);
    CHECK(calls == 8);
    REQUIRE(t.size() == 2);
    for (const auto& x : t) {
        REQUIRE(x.pass_seconds.size() == 4);
        CHECK(x.seconds > 0);
        CHECK(x.seconds <= x.median_seconds);
        CHECK(x.spread >= 0);
        CHECK(x.seconds == *std::ranges::min_element(x.pass_seconds));
    }
    CHECK(t[1].seconds > 4 * t[0].seconds); // 16x the work is clearly slower, noise or not
    if (runner.options().cpus.size() > 1) CHECK(t[0].pass_cpus[0] != t[0].pass_cpus[1]); // CPUs alternate
    const auto h = half_agreement(t);
    CHECK(h.spearman == doctest::Approx(1.0));
    CHECK(h.median_relative_diff >= 0);
}

TEST_CASE_FIXTURE(
    Fixture, "the noise gate re-measures candidates above the bound, within its budget, and says what it reached") {
    // A "board" that is slow on some runs, for real: the command template runs the binary under
    // QEMU's x86-64 emulator (tens of times slower; the harness times itself inside the process)
    // on the runs the pattern marks with 1, natively otherwise; a counter file per binary numbers
    // the runs. Binary "settles" is slow on its first two of four planned passes (spread far above
    // any bound) and fast from then on: two extra passes bring its median down to the fast time.
    // Binary "flaps" alternates slow and fast for ever: no number of passes helps, so the gate must
    // stop at its limits and report it as noisy.
    const auto state = dir / "runs";
    fs::create_directories(state);
    const auto settles = scale(256), flaps = scale(257);
    const auto pattern = [&](const KernelBinary& b) {
        return b.path() == settles.path() ? "11000000000000000000" : "10101010101010101010";
    };
    std::string tmpl = "k=$(printf %s {binary} | cksum | cut -d' ' -f1); f=" + state.string() +
                       "/$k; n=$(cat $f 2>/dev/null || echo 0); "
                       "echo $((n+1)) > $f; p=$(cat $f.pattern); case $(printf %s \"$p\" | cut -c$((n+1))) in "
                       "1) exec qemu-x86_64 {binary} {args};; *) exec {binary} {args};; esac";
    for (const auto* b : {&settles, &flaps}) {
        // The pattern file next to the counter, under the same key the template computes.
        const auto r = run_process({"/bin/sh", "-c", "printf %s '" + b->path().string() + "' | cksum | cut -d' ' -f1"});
        REQUIRE(r.ok());
        std::ofstream(state / (r.out.substr(0, r.out.find('\n')) + ".pattern")) << pattern(*b);
    }
    NativeTimingOptions o;
    o.passes = 4;
    o.ms_per_measurement = 5;
    o.batches = 5; // the minimum of five 1 ms batches: robust to a busy machine's preemptions
    o.command_template = tmpl;
    // The bound: 200 %. The injected slowness (QEMU: 30-80x) is far above it, and so is a median
    // between slow and fast passes; native noise (up to 1.8x between processes on a busy 2-core
    // machine) is far below.
    o.max_spread = 2.0;
    o.max_extra_passes = 4;
    o.extra_budget = 1.0; // 8 planned processes: at most 8 extra
    std::size_t last_done = 0, last_total = 0;
    o.progress = [&](std::size_t done, std::size_t total) {
        CHECK(done <= total);
        last_done = done;
        last_total = total;
    };
    const std::vector<KernelBinary> both{settles, flaps};
    const auto t = NativeRunner(o).measure(both);
    REQUIRE(t.size() == 2);
    // settles: slow, slow, fast, fast -> re-measured once (two passes), then within the bound.
    CHECK(t[0].extra_passes == 2);
    CHECK(t[0].pass_seconds.size() == 6);
    CHECK_FALSE(t[0].noisy);
    CAPTURE(fmt::format("{}", fmt::join(t[0].pass_seconds, " ")));
    CHECK(t[0].spread <= 2.0);
    CHECK(t[0].pass_seconds[0] > 10 * t[0].seconds); // the injected slowness was real
    // flaps: re-measured until its own limit (4 extra passes) stops the gate; still noisy, and
    // says so.
    CHECK(t[1].extra_passes == 4);
    CHECK(t[1].pass_seconds.size() == 8);
    CHECK(t[1].noisy);
    CHECK(t[1].spread > 2.0);
    CHECK(last_done == 4 + 4 + 2 + 4);
    CHECK(last_total == last_done);
    for (const auto& x : t) CHECK(x.wall_seconds > 0);

    // The summary states the resolution the halves reached and what the gate did.
    const auto s = summarise(t);
    CHECK(s.candidates == 2);
    CHECK(s.remeasured == 2);
    CHECK(s.extra_passes == 6);
    CHECK(s.noisy == 1);
    CHECK(s.resolution() >= 0);
    CHECK(s.resolution() == doctest::Approx(half_agreement(t).median_relative_diff));
    CHECK(describe(s).find("resolution") != std::string::npos);

    // A tighter budget stops the gate earlier: 25 % of 8 planned processes is 2 extra in all
    // (the first noisy candidate's round), and the other is left noisy.
    fs::remove_all(state);
    fs::create_directories(state);
    for (const auto* b : {&settles, &flaps}) {
        const auto r = run_process({"/bin/sh", "-c", "printf %s '" + b->path().string() + "' | cksum | cut -d' ' -f1"});
        std::ofstream(state / (r.out.substr(0, r.out.find('\n')) + ".pattern")) << pattern(*b);
    }
    o.extra_budget = 0.25;
    const auto tight = NativeRunner(o).measure(both);
    CHECK(tight[0].extra_passes == 2);
    CHECK(tight[1].extra_passes == 0);
    CHECK(tight[1].noisy);
    fs::remove_all(state);
}

TEST_CASE_FIXTURE(Fixture, "a command template runs the binary through the shell, as for a remote board") {
    NativeTimingOptions o;
    o.passes = 2;
    o.ms_per_measurement = 5;
    o.max_extra_passes = 0; // exactly the planned passes
    o.command_template = "cd / && {binary} {args}";
    const auto t = NativeRunner(o).measure(scale(256));
    CHECK(t.seconds > 0);
    CHECK(t.pass_cpus == std::vector<int>{-1, -1});

    // The binary's path is one shell word whatever it holds: copied to a name with a space, a
    // quote and a command substitution, it runs and the substitution never does.
    const auto odd_dir = std::filesystem::temp_directory_path() / fmt::format("simtune-test-native-odd-{}", ::getpid());
    std::filesystem::create_directories(odd_dir);
    const auto odd = odd_dir / "it's $(touch pwned) kernel";
    std::filesystem::copy_file(scale(256).path(), odd, std::filesystem::copy_options::overwrite_existing);
    o.command_template = "cd " + odd_dir.string() + " && {binary} {args}";
    CHECK(NativeRunner(o).measure(KernelBinary::load(odd)).seconds > 0);
    CHECK_FALSE(std::filesystem::exists(odd_dir / "pwned"));
    // Without the quote, an unquoted path still parses as a shell line: the substitution would run.
    const auto odd2 = odd_dir / "$(touch pwned) kernel";
    std::filesystem::copy_file(scale(256).path(), odd2, std::filesystem::copy_options::overwrite_existing);
    CHECK(NativeRunner(o).measure(KernelBinary::load(odd2)).seconds > 0);
    CHECK_FALSE(std::filesystem::exists(odd_dir / "pwned"));
    std::filesystem::remove_all(odd_dir);

    o.command_template = "echo board unreachable >&2; exit 255";
    try {
        (void)NativeRunner(o).measure(scale(256));
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::simulation_fault);
        CHECK(std::string(e.what()).find("board unreachable") != std::string::npos);
    }
}

TEST_CASE_FIXTURE(Fixture, "kernels that crash or never return are errors naming the binary") {
    NativeTimingOptions o;
    o.passes = 1;
    o.ms_per_measurement = 5;
    o.timeout = std::chrono::milliseconds(1500);
    const auto crash = scale(64, "volatile int *p = (int *)16; *p = 1; (void)x;");
    try {
        (void)NativeRunner(o).measure(crash);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::simulation_fault);
        CHECK(std::string(e.what()).find("signal 11") != std::string::npos);
        CHECK(std::string(e.what()).find(crash.path().string()) != std::string::npos);
    }
    const auto hang = scale(64, "volatile int spin = 1; while (spin) x[0] += 1.0f;");
    CHECK_THROWS_WITH_AS((void)NativeRunner(o).measure(hang), doctest::Contains("timed out"), Error);
}

TEST_CASE_FIXTURE(Fixture, "a binary loaded by a relative path is measured, not looked up in PATH") {
    const auto built = scale(128);
    const auto cwd = fs::current_path();
    fs::current_path(built.path().parent_path());
    const auto relative = KernelBinary::load("kernel");
    NativeTimingOptions o;
    o.passes = 1;
    o.ms_per_measurement = 3;
    double seconds = 0;
    CHECK_NOTHROW(seconds = NativeRunner(o).measure(relative).seconds);
    fs::current_path(cwd);
    CHECK(seconds > 0);
}

TEST_CASE("the halves of the passes each hold both CPUs, and unknown halves are left out") {
    NativeTiming t;
    t.pass_seconds = {1.0, 2.0, 3.0, 4.0, 5.0}; // passes 0..4 -> halves A, B, B, A, A
    CHECK(half_minima(t) == std::pair<double, double>{1.0, 2.0});
    t.pass_seconds = {4.0, 3.0, 2.0, 1.0}; // A = {4, 1}, B = {3, 2}
    CHECK(half_minima(t) == std::pair<double, double>{1.0, 2.0});
    t.pass_seconds = {4.0};
    CHECK(half_minima(t) == std::pair<double, double>{4.0, 0.0});
    // Resolution from kept halves: (1.0, 1.1) and (2.0, 2.0) differ by 10 % and 0 %, median 5 %;
    // a pair with an unknown half (0) does not count.
    const std::vector<std::pair<double, double>> halves{{1.0, 1.1}, {2.0, 2.0}, {3.0, 0.0}};
    const auto h = half_agreement(std::span<const std::pair<double, double>>(halves));
    CHECK(h.median_relative_diff == doctest::Approx(0.05));
    CHECK(h.spearman == doctest::Approx(1.0));
    const std::vector<std::pair<double, double>> none{{1.0, 0.0}};
    CHECK(std::isnan(half_agreement(std::span<const std::pair<double, double>>(none)).median_relative_diff));
}

TEST_CASE("the harness's timing line is parsed strictly") {
    CHECK(parse_harness_time("simtune-time: min_ns=1500.0 median_ns=1600.0\n") == doctest::Approx(1.5e-6));
    CHECK_THROWS_AS(parse_harness_time("nothing here"), Error);
    CHECK_THROWS_AS(parse_harness_time("simtune-time: min_ns=nan"), Error);
    CHECK_THROWS_AS(parse_harness_time("simtune-time: min_ns=-3"), Error);
    NativeTimingOptions no_passes;
    no_passes.passes = 0;
    CHECK_THROWS_AS(NativeRunner{no_passes}, Error);
}
