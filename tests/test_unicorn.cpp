// Specification of UnicornSimulator: kernels give the same outputs as their native x86-64 run on all
// three ISAs, runs are deterministic and bounded, the counts are sensible, and every way a kernel
// can go wrong ends in a specific simtune::Error naming the problem.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <bit>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <simtune/collectors/collector_set.hpp>
#include <simtune/research.hpp>

#include "kernels/test_kernels.hpp"
#include "support.hpp"

using namespace simtune;
using namespace simtune::testing;
namespace fs = std::filesystem;

namespace {

/// One temporary build cache for the whole test executable, removed at exit.
struct TempCache {
    fs::path dir = fs::temp_directory_path() / fmt::format("simtune-test-unicorn-{}", ::getpid());
    TempCache() { fs::create_directories(dir); }
    ~TempCache() {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
};

const fs::path& cache_dir() {
    static const TempCache cache;
    return cache.dir;
}

std::string kernel_source(std::string_view file) {
    std::ifstream in(fs::path(SIMTUNE_SOURCE_DIR) / "tests" / "kernels" / file);
    REQUIRE_MESSAGE(in, "cannot read tests/kernels/", file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

KernelBinary build(std::string_view source, const std::vector<BufferSpec>& buffers, const Target& target,
                   std::vector<std::string> flags = {}) {
    BuildOptions opts;
    opts.cache_dir = cache_dir();
    opts.flags = std::move(flags);
    return build_kernel(source, buffers, target, opts);
}

std::vector<BufferSpec> specs(std::initializer_list<std::pair<const char*, std::uint64_t>> inputs,
                              std::pair<const char*, std::uint64_t> output) {
    std::vector<BufferSpec> v;
    for (auto [name, count] : inputs) v.push_back({name, ElemType::f32, count, BufferRole::input});
    v.push_back({output.first, ElemType::f32, output.second, BufferRole::output});
    return v;
}

struct TestKernel {
    std::string file;
    std::vector<BufferSpec> buffers;
};

std::vector<TestKernel> ml_kernels() {
    return {{"unicorn_gemm.c", specs({{"a", 1024}, {"b", 1024}}, {"c", 1024})},
            {"unicorn_conv2d.c", specs({{"in", 4 * 16 * 16}, {"w", 8 * 4 * 9}, {"bias", 8}}, {"out", 8 * 14 * 14})},
            {"unicorn_depthwise.c", specs({{"in", 8 * 16 * 16}, {"w", 8 * 9}}, {"out", 8 * 16 * 16})}};
}

/// The kernel's buffers after a native run of its x86-64 build (the harness's --dump), split per buffer.
std::vector<std::vector<std::byte>> native_buffers(const KernelBinary& native) {
    const auto dump = cache_dir() / fmt::format("dump-{}", native.content_hash());
    const auto r = run_process({native.path().string(), "--dump", dump.string()});
    REQUIRE_MESSAGE(r.ok(), r.describe(), " ", r.err);
    std::ifstream in(dump, std::ios::binary);
    std::vector<std::vector<std::byte>> out;
    for (const auto& b : native.buffers()) {
        std::vector<std::byte> bytes(b.bytes());
        in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        REQUIRE(in);
        out.push_back(std::move(bytes));
    }
    return out;
}

std::vector<float> floats(const std::vector<std::byte>& bytes) {
    std::vector<float> v(bytes.size() / 4);
    std::memcpy(v.data(), bytes.data(), v.size() * 4);
    return v;
}

/// Inputs must be bit-identical; outputs equal within float tolerance (AArch64 and RISC-V contract
/// a*b+c into fused multiply-adds, x86-64 does not, and vectorised sums associate differently).
void check_same_buffers(const KernelBinary& k, const std::vector<std::vector<std::byte>>& simulated,
                        const std::vector<std::vector<std::byte>>& native) {
    REQUIRE(simulated.size() == native.size());
    for (std::size_t i = 0; i < native.size(); ++i) {
        const auto& spec = k.buffers()[i];
        CAPTURE(spec.name);
        REQUIRE(simulated[i].size() == native[i].size());
        if (spec.role == BufferRole::input) {
            CHECK(simulated[i] == native[i]);
            continue;
        }
        const auto s = floats(simulated[i]), n = floats(native[i]);
        std::size_t bad = 0, nonzero = 0;
        for (std::size_t j = 0; j < n.size(); ++j) {
            if (std::abs(s[j] - n[j]) > 1e-5f * std::max(1.0f, std::abs(n[j]))) ++bad;
            if (s[j] != 0.0f) ++nonzero;
        }
        CHECK(bad == 0);
        CHECK(nonzero > n.size() / 2); // the kernel did write its output
    }
}

Target target_for(Isa isa) {
    for (auto& t : builtin_targets())
        if (t.isa == isa) return t;
    FAIL("no built-in target for ", to_string(isa));
    return {};
}

} // namespace

TEST_CASE("GEMM, conv2d and depthwise conv give the native x86-64 outputs on all three ISAs") {
    const auto host = host_x86_64();
    UnicornSimulator sim;
    for (const auto& tk : ml_kernels()) {
        CAPTURE(tk.file);
        const auto source = kernel_source(tk.file);
        const auto native = native_buffers(build(source, tk.buffers, host));
        for (const auto& target : builtin_targets()) {
            CAPTURE(target.name);
            const auto k = build(source, tk.buffers, target);
            CollectorSet none;
            const auto plain = sim.run(k, target, none);
            check_same_buffers(k, plain.buffers, native);
            CHECK(plain.stats.instructions > 1000);
            CHECK(plain.stats.basic_blocks > 10);
            CHECK(plain.stats.basic_blocks < plain.stats.instructions);
            // Collectors watch; they do not change what the kernel computes or how much it executes.
            auto all = CollectorSet::all(target);
            const auto watched = sim.run(k, target, all);
            check_same_buffers(k, watched.buffers, native);
            CHECK(watched.stats.instructions == plain.stats.instructions);
            CHECK(watched.stats.basic_blocks == plain.stats.basic_blocks);
        }
    }
}

TEST_CASE("arguments beyond the registers are passed on the stack and globals start fresh every run") {
    // 11 inputs + 1 output: x86-64 passes 6 pointers in registers, AArch64 and RISC-V 8; the rest go
    // on the stack. The global counter checks that .data is restored between runs of one binary, and
    // the small global table may be addressed through gp on RISC-V.
    const char* source = R"(
static int calls;
static float scale[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
void simtune_kernel(const float *b0, const float *b1, const float *b2, const float *b3,
                    const float *b4, const float *b5, const float *b6, const float *b7,
                    const float *b8, const float *b9, const float *b10, float *out) {
    const float *in[11] = {b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10};
    for (int i = 0; i < 64; ++i) {
        float s = 0;
        for (int j = 0; j < 11; ++j) s += scale[j] * in[j][i];
        out[i] = s;
    }
    out[64] = (float)++calls;
}
)";
    std::vector<BufferSpec> buffers;
    for (int i = 0; i < 11; ++i) buffers.push_back({fmt::format("b{}", i), ElemType::f32, 64, BufferRole::input});
    buffers.push_back({"out", ElemType::f32, 65, BufferRole::output});
    const auto native = native_buffers(build(source, buffers, host_x86_64()));
    CHECK(floats(native.back())[64] == 1.0f);
    UnicornSimulator sim;
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        const auto k = build(source, buffers, target);
        CollectorSet none;
        for (int run = 0; run < 2; ++run) {
            const auto r = sim.run(k, target, none);
            check_same_buffers(k, r.buffers, native);
            CHECK(floats(r.buffers.back())[64] == 1.0f);
        }
    }
}

TEST_CASE("runs are deterministic, with and without collectors, on a reused and on a fresh engine") {
    const auto source = kernel_source("unicorn_conv2d.c");
    const auto buffers = ml_kernels()[1].buffers;
    const auto gemm = ml_kernels()[0];
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        const auto k = build(source, buffers, target);
        const auto other = build(kernel_source(gemm.file), gemm.buffers, target);
        UnicornSimulator sim;
        CollectorSet none;
        auto all = CollectorSet::all(target);
        const auto first = sim.run(k, target, none);
        const auto first_full = sim.run(k, target, all);
        CHECK(sim.run(k, target, none).stats == first.stats);
        CHECK(sim.run(k, target, all).stats == first_full.stats);
        CHECK(first_full.stats.mem_reads > 0);
        // The mix alone is fed from per-block execution counts after the run; it must agree with
        // the mix fed block by block (as it is beside the branch counter in the full set).
        CollectorSet mix = CollectorSet::mix_only();
        const auto mixed = sim.run(k, target, mix).stats;
        CHECK(mixed.by_class == first_full.stats.by_class);
        CHECK(mixed.instructions == first.stats.instructions);
        sim.run(other, target, none); // switch binaries and back
        CHECK(sim.run(k, target, all).stats == first_full.stats);
        UnicornSimulator fresh;
        CHECK(fresh.run(k, target, all).stats == first_full.stats);
        CHECK(fresh.run(k, target, none).stats == first.stats);
    }
}

namespace {
/// A user collector that tallies what it is fed, into a counter its creator keeps.
struct Tally {
    struct Counts {
        std::uint64_t blocks = 0, instructions = 0, accesses = 0, resets = 0;
    };
    std::shared_ptr<Counts> counts = std::make_shared<Counts>();
    [[nodiscard]] EventKind events() const { return EventKind::blocks | EventKind::memory; }
    void on_block(const DecodedBlock& b) {
        ++counts->blocks;
        counts->instructions += b.instructions;
    }
    void on_memory(const MemoryAccess&) { ++counts->accesses; }
    void contribute(Stats&) const {}
    void reset() { *counts = Counts{.resets = counts->resets + 1}; }
};
static_assert(StatsCollector<Tally>);
} // namespace

TEST_CASE("a user collector sees every block and every access") {
    const auto tk = ml_kernels()[2];
    const auto source = kernel_source(tk.file);
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        const auto k = build(source, tk.buffers, target);
        Tally tally;
        const auto counts = tally.counts;
        CollectorSet set = CollectorSet::all(target);
        set.add(tally);
        UnicornSimulator sim;
        const auto s = sim.run(k, target, set).stats;
        CHECK(counts->resets == 1);
        CHECK(counts->blocks == s.basic_blocks);
        CHECK(counts->instructions == s.instructions);
        CHECK(counts->accesses == s.mem_reads + s.mem_writes);
        CHECK(counts->accesses > 0);
    }
}

TEST_CASE("an exception from a collector ends the run with that exception, and the simulator stays usable") {
    struct Failing {
        [[nodiscard]] EventKind events() const { return EventKind::blocks; }
        void on_block(const DecodedBlock&) { throw std::runtime_error("collector gave up"); }
        void on_memory(const MemoryAccess&) {}
        void contribute(Stats&) const {}
        void reset() {}
    };
    const auto tk = ml_kernels()[0];
    const auto target = host_x86_64();
    const auto k = build(kernel_source(tk.file), tk.buffers, target);
    UnicornSimulator sim;
    CollectorSet failing;
    failing.add(Failing{});
    CHECK_THROWS_WITH_AS(sim.run(k, target, failing), "collector gave up", std::runtime_error);
    CollectorSet mix = CollectorSet::mix_only();
    CHECK(sim.run(k, target, mix).stats.instructions > 0);
}

TEST_CASE("a kernel that overflows the stack is told to ask for a larger one") {
    const char* source = R"(
void simtune_kernel(float *x) {
    volatile float big[1 << 19]; /* 2 MiB */
    big[0] = x[0];
    big[(1 << 19) - 1] = x[1];
    x[2] = big[0] + big[(1 << 19) - 1];
}
)";
    const std::vector<BufferSpec> buffers{{"x", ElemType::f32, 16, BufferRole::inout}};
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        const auto k = build(source, buffers, target);
        UnicornSimulator small;
        CollectorSet none;
        check_error([&] { small.run(k, target, none); }, ErrorKind::simulation_fault, {"stack_bytes"});
        UnicornOptions options;
        options.stack_bytes = 4 << 20;
        UnicornSimulator large(options);
        const auto r = large.run(k, target, none);
        const auto x = floats(r.buffers[0]);
        CHECK(x[2] == x[0] + x[1]);
    }
}

TEST_CASE("the counts of a naive scalar GEMM are sensible") {
    constexpr std::uint64_t n = 24;
    const auto source = kernel_source("unicorn_gemm.c");
    const auto buffers = specs({{"a", n * n}, {"b", n * n}}, {"c", n * n});
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        // Not vectorised: every one of the n³ multiply-adds loads b and loads and stores c.
        const auto k = build(source, buffers, target, {"-DN=24", "-fno-tree-vectorize", "-fno-unroll-loops"});
        UnicornSimulator sim;
        auto all = CollectorSet::all(target);
        const auto s = sim.run(k, target, all).stats;
        const auto counts = fmt::format("{}", s);
        CAPTURE(counts);
        CHECK(s.instructions >= n * n * n);
        CHECK(s.instructions < 20 * n * n * n);
        CHECK(s.basic_blocks >= n * n * n / 2);
        std::uint64_t classified = 0;
        for (auto c : s.by_class) classified += c;
        CHECK(classified == s.instructions);
        CHECK(s.counter(InsnClass::fp_scalar) + s.counter(InsnClass::simd) >= n * n * n);
        CHECK(s.counter(InsnClass::branch) >= n * n * n);
        CHECK(s.mem_reads >= n * n * n);
        CHECK(s.mem_writes >= n * n);
        CHECK(s.bytes_loaded >= 4 * n * n * n);
        CHECK(s.l1d_accesses > 0);
        CHECK(s.l1d_misses > 0);
        CHECK(s.l1d_misses < s.l1d_accesses);

        // The vectorised default build executes fewer instructions for the same work.
        const auto vectorised = build(source, buffers, target, {"-DN=24"});
        CollectorSet mix = CollectorSet::mix_only();
        const auto v = sim.run(vectorised, target, mix).stats;
        CHECK(v.instructions > 0);
        if (target.isa != Isa::riscv64) { // GCC 12 does not vectorise for RISC-V
            CHECK(v.instructions < s.instructions);
            CHECK(v.counter(InsnClass::simd) > 0);
        }
    }
}

TEST_CASE("the instruction limit stops a run with instruction_limit, and the simulator stays usable") {
    const auto tk = ml_kernels()[0];
    const auto source = kernel_source(tk.file);
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        const auto k = build(source, tk.buffers, target);
        UnicornSimulator limited(SimulationLimits{.max_instructions = 5000, .timeout = std::chrono::seconds(60)});
        CollectorSet none;
        check_error([&] { limited.run(k, target, none); }, ErrorKind::instruction_limit, {"5000 instructions"});
        check_error([&] { limited.run(k, target, none); }, ErrorKind::instruction_limit, {"5000 instructions"});
        // A limit the kernel fits under.
        UnicornSimulator unlimited;
        const auto needed = unlimited.run(k, target, none).stats.instructions;
        UnicornSimulator enough(SimulationLimits{.max_instructions = needed, .timeout = std::chrono::seconds(60)});
        CHECK(enough.run(k, target, none).stats.instructions == needed);
    }
    check_error([] { UnicornSimulator(SimulationLimits{.max_instructions = 0}); }, ErrorKind::invalid_argument,
                {"instruction limit"});
}

TEST_CASE("a kernel that never returns is stopped by the time limit") {
    const char* source = R"(
void simtune_kernel(float *x) {
    volatile float *v = x;
    while (1) v[0] += 1.0f;
}
)";
    const std::vector<BufferSpec> buffers{{"x", ElemType::f32, 16, BufferRole::inout}};
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        const auto k = build(source, buffers, target);
        UnicornSimulator sim(SimulationLimits{.max_instructions = ~0ULL, .timeout = std::chrono::milliseconds(300)});
        CollectorSet none;
        const auto start = std::chrono::steady_clock::now();
        check_error([&] { sim.run(k, target, none); }, ErrorKind::time_limit, {"time limit of 300 ms"});
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    }
}

TEST_CASE("an access far outside a buffer is a simulation fault naming the address and instruction") {
    const char* source = R"(
void simtune_kernel(float *x) {
    x[1 << 24] = 1.0f;
}
)";
    const char* near_source = R"(
void simtune_kernel(const float *x, float *y) {
    y[1030] = x[0];
}
)";
    const std::vector<BufferSpec> buffers{{"x", ElemType::f32, 16, BufferRole::inout}};
    const auto near_buffers = specs({{"x", 16}}, {"y", 1024});
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        UnicornSimulator sim;
        CollectorSet none;
        check_error([&] { sim.run(build(source, buffers, target), target, none); }, ErrorKind::simulation_fault,
                    {"unmapped write of 4 bytes", "simtune_kernel+0x"});
        // Just past a buffer's page: the guard page catches it and the message names the buffer.
        check_error([&] { sim.run(build(near_source, near_buffers, target), target, none); },
                    ErrorKind::simulation_fault, {"unmapped write", "past the end of buffer 'y'"});
    }
}

TEST_CASE("AVX on x86-64 and RVV on RISC-V are unsupported instructions, named with bytes and disassembly") {
    const std::vector<BufferSpec> buffers{{"x", ElemType::f32, 16, BufferRole::inout}};
    UnicornSimulator sim;
    CollectorSet none;
    const auto host = host_x86_64();
    const auto avx = build(R"(
void simtune_kernel(float *x) {
    x[0] = 1.0f;
    __asm__ volatile("vaddps %%ymm0, %%ymm1, %%ymm2" ::: "xmm0", "xmm1", "xmm2", "memory");
    x[1] = 2.0f;
}
)",
                           buffers, host);
    check_error([&] { sim.run(avx, host, none); }, ErrorKind::simulation_fault, {"AVX", "vaddps", "c5 f4 58 d0"});

    // POPCNT is x86-64-v2, which the host target builds for, and GCC emits it for
    // __builtin_popcount; Debian's Unicorn 2.0.1 refuses it under every CPU model (its translator
    // stops inside the instruction). The error says so and points to QEMU, and the simulator
    // stays usable: the same count done with shifts and masks, built with -mno-popcnt (without it
    // GCC recognises the idiom and emits POPCNT again), runs and is right.
    const char* popcount = R"(
void simtune_kernel(float *x) {
    unsigned bits;
    __builtin_memcpy(&bits, &x[0], sizeof bits);
    x[1] = (float)COUNT(bits);
}
)";
    const std::string builtin = std::string("#define COUNT __builtin_popcount\n") + popcount;
    check_error([&] { sim.run(build(builtin, buffers, host), host, none); }, ErrorKind::simulation_fault,
                {"POPCNT", "popcnt", "f3 0f b8", "--simulator qemu", "simtune_kernel+0x"});
    const std::string swar = std::string(R"(
static unsigned COUNT(unsigned v) {
    v = v - ((v >> 1) & 0x55555555u);
    v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
    return (((v + (v >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24;
}
)") + popcount;
    const auto counted = sim.run(build(swar, buffers, host, {"-mno-popcnt"}), host, none);
    REQUIRE(counted.buffers.size() == 1);
    float x[2];
    std::memcpy(x, counted.buffers[0].data(), sizeof x);
    unsigned bits;
    std::memcpy(&bits, &x[0], sizeof bits);
    CHECK(x[1] == static_cast<float>(std::popcount(bits)));

    const auto rv = target_for(Isa::riscv64);
    const auto rvv = build(R"(
void simtune_kernel(float *x) {
    x[0] = 1.0f;
    __asm__ volatile("vsetvli t0, zero, e32, m1, ta, ma" ::: "t0", "memory");
    x[1] = 2.0f;
}
)",
                           buffers, rv, {"-march=rv64gcv"});
    check_error([&] { sim.run(rvv, rv, none); }, ErrorKind::simulation_fault,
                {"vector extension", "simtune_kernel+0xc", "[d7 72 00 0d]", "vsetvl"});
}

TEST_CASE("a system call is a simulation fault on every ISA") {
    const std::vector<BufferSpec> buffers{{"x", ElemType::f32, 16, BufferRole::inout}};
    UnicornSimulator sim;
    CollectorSet none;
    struct Call {
        Isa isa;
        const char* insn;
        const char* bytes;
    };
    const std::array<Call, 3> calls{{{Isa::x86_64, "syscall", "[0f 05]"},
                                     {Isa::aarch64, "svc #0", "[01 00 00 d4]"},
                                     {Isa::riscv64, "ecall", "[73 00 00 00]"}}};
    for (auto [isa, insn, bytes] : calls) {
        CAPTURE(insn);
        const auto target = target_for(isa);
        const auto k = build(fmt::format(R"(
void simtune_kernel(float *x) {{
    x[0] = 1.0f;
    __asm__ volatile("{}" ::: "memory");
    x[1] = 2.0f;
}}
)",
                                         insn),
                             buffers, target);
        check_error([&] { sim.run(k, target, none); }, ErrorKind::simulation_fault,
                    {"system call", "simtune_kernel+0x", bytes});
    }
}

TEST_CASE("a call into libc leaves the kernel's code and is refused with the address") {
    const char* source = R"(
#include <string.h>
void *(*volatile copy)(void *, const void *, size_t) = memcpy;
void simtune_kernel(const float *x, float *y) {
    copy(y, x, 16 * sizeof(float));
}
)";
    const auto buffers = specs({{"x", 16}}, {"y", 16});
    UnicornSimulator sim;
    CollectorSet none;
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        check_error([&] { sim.run(build(source, buffers, target), target, none); }, ErrorKind::simulation_fault,
                    {"left the kernel's code", "libc"});
    }
}

TEST_CASE("a kernel built for another ISA than the target is refused") {
    const auto tk = ml_kernels()[0];
    const auto k = build(kernel_source(tk.file), tk.buffers, cortex_a72());
    UnicornSimulator sim;
    CollectorSet none;
    check_error([&] { sim.run(k, host_x86_64(), none); }, ErrorKind::wrong_isa, {"aarch64", "x86-64"});
}

static_assert(Simulator<UnicornSimulator>);

/// Runs `check(target, binary)` for bench_qemu's kernels at bench_qemu's sizes on every built-in
/// target (the sampled tests' kernels: long enough for many windows).
template <class Check>
void for_each_large_kernel(Check check) {
    namespace tk = simtune::test_kernels;
    for (const auto& target : builtin_targets()) {
        for (const auto& sized : tk::large_kernels()) {
            CAPTURE(target.name);
            CAPTURE(sized.name());
            BuildOptions build_options;
            build_options.cache_dir = cache_dir();
            check(target, tk::build(sized, target, build_options));
        }
    }
}

TEST_CASE("sampled memory statistics: the mix exact, traffic within 2 % of exact, misses within the interval") {
    // The QEMU plugin's test, with the same kernels of bench_qemu's sizes and SamplingOptions'
    // defaults: between windows the run continues in a twin engine without the memory hook.
    for_each_large_kernel([](const Target& target, const KernelBinary& binary) {
        auto collectors = CollectorSet::mix_only();
        collectors.add_branches().add_memory().add_caches(target.caches);
        UnicornSimulator exact_simulator;
        const auto exact = exact_simulator.run(binary, target, collectors);
        UnicornOptions options;
        options.sampling.enabled = true;
        UnicornSimulator sampling_simulator(options);
        const auto sampled = sampling_simulator.run(binary, target, collectors);
        // The CPU state crossed between the engines at every window's ends without a trace.
        check_sampled_against_exact(exact, sampled, options.sampling);
        CHECK(sampled.stats.branches_taken == exact.stats.branches_taken);
        CHECK(sampled.sampling->retranslations == 0);
        // Deterministic, on the reused engines too.
        const auto again = sampling_simulator.run(binary, target, collectors);
        CHECK(again.stats == sampled.stats);
        CHECK(again.sampling->half_width == sampled.sampling->half_width);
        CHECK(again.buffers == exact.buffers);
    });
}

TEST_CASE("sampled dataflow: the walk runs in warm-ups and windows, its chain's growth extrapolated") {
    // bench_qemu's kernels, the mix and the dataflow walk alone (the shipped models read both):
    // dataflow_cycles within its stated interval and 1 % of the exact walk's (measured: 0.01-0.1 %,
    // benchmarks/RESULTS.md, stop 35), the mix exact.
    for_each_large_kernel([](const Target& target, const KernelBinary& binary) {
        auto collectors = CollectorSet::mix_only();
        collectors.add_dataflow();
        const auto exact = UnicornSimulator{}.run(binary, target, collectors);
        UnicornOptions options;
        options.sampling.enabled = true;
        const auto sampled = UnicornSimulator{options}.run(binary, target, collectors);
        REQUIRE(sampled.sampling.has_value());
        CHECK(sampled.sampling->windows >= 5);
        CHECK(sampled.stats.instructions == exact.stats.instructions);
        CHECK(sampled.stats.by_class == exact.stats.by_class);
        CHECK(sampled.buffers == exact.buffers);
        const auto e = static_cast<double>(exact.stats.dataflow_cycles);
        const auto v = static_cast<double>(sampled.stats.dataflow_cycles);
        const auto half = static_cast<double>(sampled.sampling->half_width.dataflow_cycles);
        CAPTURE(e);
        CAPTURE(v);
        CAPTURE(half);
        CHECK(half > 0);
        CHECK(std::abs(v - e) <= half);
        CHECK(std::abs(v - e) <= 0.01 * e);
    });
}

TEST_CASE("sampled: a rest no window saw widens the interval by what its own code could hold") {
    // The second phase runs code the first window never ran: its misses, and its dataflow walk,
    // must fall inside the stated interval (before, they were 99 % outside it).
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        const auto k =
            build(simtune::testing::two_phase_kernel, parse_buffer_spec(simtune::testing::two_phase_buffers), target);
        auto collectors = CollectorSet::mix_only();
        collectors.add_memory().add_caches(target.caches).add_dataflow();
        UnicornOptions options;
        options.sampling.enabled = true;
        simtune::testing::check_unseen_rest(UnicornSimulator{}.run(k, target, collectors),
                                            UnicornSimulator{options}.run(k, target, collectors), true);
    }
}

TEST_CASE("sampling: short regions are exact, the dataflow walk too; user memory collectors refuse it") {
    const auto target = host_x86_64();
    const auto tk = ml_kernels()[0];
    const auto k = build(kernel_source(tk.file), tk.buffers, target);
    UnicornOptions options;
    CHECK_FALSE(options.sampling.enabled);
    options.sampling.enabled = true;
    UnicornSimulator sampling(options);
    UnicornSimulator exact;
    // A region shorter than the first window (a warm-up and a window) is counted exactly, and says so.
    auto memory = CollectorSet::mix_only();
    memory.add_memory().add_caches(target.caches);
    const auto short_exact = exact.run(k, target, memory);
    const auto short_sampled = sampling.run(k, target, memory);
    REQUIRE(short_sampled.sampling.has_value());
    CHECK(short_sampled.sampling->windows == 1);
    CHECK(short_sampled.stats == short_exact.stats);
    CHECK(short_sampled.sampling->half_width == Stats{});
    // So is a longer region with an exact prefix longer than it.
    options.sampling = {.enabled = true, .period = 3000, .warmup = 200, .window = 300, .exact_prefix = 1'000'000};
    const auto prefixed = UnicornSimulator(options).run(k, target, memory);
    REQUIRE(prefixed.sampling.has_value());
    CHECK(prefixed.sampling->windows == 1);
    CHECK(prefixed.stats == short_exact.stats);
    // Windows of a few hundred instructions on the same kernel: many switches, still the exact mix
    // and outputs, and the same traffic (every block watched at least once).
    options.sampling = {.enabled = true, .period = 3000, .warmup = 200, .window = 300, .exact_prefix = 0};
    UnicornSimulator dense(options);
    const auto many = dense.run(k, target, memory);
    REQUIRE(many.sampling.has_value());
    CHECK(many.sampling->windows >= 5);
    CHECK(many.buffers == short_exact.buffers);
    CHECK(many.stats.instructions == short_exact.stats.instructions);
    CHECK(many.stats.by_class == short_exact.stats.by_class);
    CHECK(many.stats.mem_reads == short_exact.stats.mem_reads);
    CHECK(many.stats.bytes_stored == short_exact.stats.bytes_stored);
    // Windows shorter than a block: each still holds the block it starts with.
    options.sampling = {.enabled = true, .period = 2000, .warmup = 0, .window = 1, .exact_prefix = 0};
    const auto tiny = UnicornSimulator(options).run(k, target, memory);
    REQUIRE(tiny.sampling.has_value());
    CHECK(tiny.sampling->windows >= 5);
    CHECK(tiny.buffers == short_exact.buffers);
    CHECK(tiny.stats.instructions == short_exact.stats.instructions);
    CHECK(tiny.stats.mem_reads == short_exact.stats.mem_reads);
    // Every collector, the dataflow walk included, over a region shorter than the 2 M prefix:
    // exact, and says so.
    auto all = CollectorSet::all(target);
    const auto with_dataflow = sampling.run(k, target, all);
    REQUIRE(with_dataflow.sampling.has_value());
    CHECK(with_dataflow.sampling->windows == 1);
    CHECK(with_dataflow.stats == exact.run(k, target, all).stats);
    // A user collector that wants every access cannot have it.
    auto with_user = CollectorSet::mix_only();
    with_user.add_memory().add(Tally{});
    check_error([&] { sampling.run(k, target, with_user); }, ErrorKind::invalid_argument, {"every memory access"});
    // Nonsense schedules are refused.
    options.sampling.period = options.sampling.warmup + options.sampling.window;
    check_error([&] { UnicornSimulator(options).run(k, target, memory); }, ErrorKind::invalid_argument, {"period"});
}
