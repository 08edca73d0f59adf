// Specification of native timing: interleaved passes on alternating CPUs, minimum over passes,
// the noise figure, remote command templates, and errors for kernels that crash or hang.
#include <doctest/doctest.h>

#include <simtune/research.hpp>

using namespace simtune;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    fs::path dir = fs::temp_directory_path() / fmt::format("simtune-test-native-{}", ::getpid());
    BuildOptions opts;
    Fixture() { opts.cache_dir = dir; }
    ~Fixture() { fs::remove_all(dir); }

    KernelBinary scale(int n, std::string body = "for (int r = 0; r < N; ++r) for (int i = 0; i < N; ++i) x[i] = x[i] * 0.5f + 1.0f;") const {
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

TEST_CASE_FIXTURE(Fixture, "a command template runs the binary through the shell, as for a remote board") {
    NativeTimingOptions o;
    o.passes = 2;
    o.ms_per_measurement = 5;
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

TEST_CASE("the harness's timing line is parsed strictly") {
    CHECK(parse_harness_time("simtune-time: min_ns=1500.0 median_ns=1600.0\n") == doctest::Approx(1.5e-6));
    CHECK_THROWS_AS(parse_harness_time("nothing here"), Error);
    CHECK_THROWS_AS(parse_harness_time("simtune-time: min_ns=nan"), Error);
    CHECK_THROWS_AS(parse_harness_time("simtune-time: min_ns=-3"), Error);
    NativeTimingOptions no_passes;
    no_passes.passes = 0;
    CHECK_THROWS_AS(NativeRunner{no_passes}, Error);
}
