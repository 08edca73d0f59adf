// QemuSimulator + simtune's QEMU plugin, on real kernel binaries for all three ISAs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <string>
#include <vector>

#include "../src/qemu_plugin/report_format.hpp"
#include "kernels/test_kernels.hpp"
#include "support.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/process.hpp"
#include "simtune/simulators/qemu.hpp"
#include "simtune/tuning/workloads.hpp"

using namespace simtune;
using simtune::testing::scratch_dir;
namespace tk = simtune::test_kernels;

namespace {

std::vector<Target> all_targets() { return {host_x86_64(), cortex_a72(), sifive_u74()}; }

/// Runs the x86-64 build natively and returns its final buffers (the reference).
std::vector<std::vector<float>> native_buffers(const KernelBinary& kernel) {
    const auto dump = std::filesystem::temp_directory_path() /
                      fmt::format("simtune-test-qemu-native-{}-{}", ::getpid(), kernel.content_hash());
    const auto result = run_process({kernel.path().string(), "--dump", dump.string()});
    REQUIRE_MESSAGE(result.ok(), result.describe(), result.err);
    std::ifstream in(dump, std::ios::binary);
    std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::filesystem::remove(dump);
    std::vector<std::vector<float>> buffers;
    std::size_t offset = 0;
    for (const auto& spec : kernel.buffers()) {
        std::vector<float> values(spec.count);
        REQUIRE(offset + spec.bytes() <= bytes.size());
        std::memcpy(values.data(), bytes.data() + offset, spec.bytes());
        offset += spec.bytes();
        buffers.push_back(std::move(values));
    }
    CHECK(offset == bytes.size());
    return buffers;
}

std::vector<float> as_floats(const std::vector<std::byte>& bytes) {
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

template <class F>
ErrorKind error_kind_of(F&& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (message) *message = e.what();
        return e.kind();
    }
    FAIL("expected a simtune::Error");
    return ErrorKind::cancelled;
}

std::uint64_t class_sum(const Stats& s) {
    std::uint64_t sum = 0;
    for (auto c : s.by_class) sum += c;
    return sum;
}

} // namespace

TEST_CASE("QEMU runs GEMM, conv2d and depthwise conv on three ISAs with the native results") {
    for (const auto& kernel : tk::compute_kernels) {
        const auto reference = native_buffers(tk::build(kernel, host_x86_64()));
        for (const auto& target : all_targets()) {
            CAPTURE(kernel.file);
            CAPTURE(target.name);
            const auto binary = tk::build(kernel, target);
            auto collectors = CollectorSet::all(target);
            const auto result = QemuSimulator{}.run(binary, target, collectors);
            const Stats& s = result.stats;

            REQUIRE(result.buffers.size() == reference.size());
            for (std::size_t b = 0; b < reference.size(); ++b) {
                const auto values = as_floats(result.buffers[b]);
                REQUIRE(values.size() == reference[b].size());
                // AArch64 and RISC-V contract a*b+c into FMA; x86-64 does not: last-bit differences.
                std::size_t mismatches = 0;
                for (std::size_t i = 0; i < values.size(); ++i)
                    mismatches +=
                        std::abs(values[i] - reference[b][i]) > 1e-4f * std::max(1.0f, std::abs(reference[b][i]));
                CHECK(mismatches == 0);
            }

            CHECK(s.instructions > 50'000);
            CHECK(class_sum(s) == s.instructions);
            CHECK(s.counter(InsnClass::branch) > 0);
            CHECK(s.branches_taken > 0);
            CHECK(s.branches_taken <= s.counter(InsnClass::branch));
            CHECK(s.basic_blocks > 0);
            CHECK(s.basic_blocks <= s.instructions);
            // Every output element is written once at least, every input element read.
            const auto& buffers = binary.buffers();
            CHECK(s.bytes_stored >= buffers.back().bytes());
            CHECK(s.bytes_loaded >= buffers.front().bytes());
            CHECK(s.mem_reads > 0);
            CHECK(s.mem_writes > 0);
            CHECK(s.l1d_accesses >= s.l1d_misses);
            CHECK(s.l1d_misses > 0);
            CHECK(s.l2_accesses == s.l1d_misses);
        }
    }
}

TEST_CASE("start-up work outside the region of interest does not change the counts") {
    for (const auto& target : all_targets()) {
        CAPTURE(target.name);
        const auto binary = tk::build(tk::gemm, target);
        auto collectors = CollectorSet::all(target);
        const auto plain = QemuSimulator{}.run(binary, target, collectors);
        QemuOptions options;
        options.kernel_arguments = {"--startup-work", "3000000"};
        const auto busy = QemuSimulator{options}.run(binary, target, collectors);
        CHECK(busy.stats == plain.stats);
        CHECK(busy.buffers == plain.buffers);
    }
}

TEST_CASE("QEMU statistics are deterministic and independent of the collector choice") {
    for (const auto& target : all_targets()) {
        CAPTURE(target.name);
        const auto binary = tk::build(tk::conv2d, target);
        auto full = CollectorSet::all(target);
        auto mix = CollectorSet::mix_only();
        CollectorSet none;
        const auto first = QemuSimulator{}.run(binary, target, full);
        const auto second = QemuSimulator{}.run(binary, target, full);
        CHECK(first.stats == second.stats);

        // Mix without branches replays block counts at ROI end; with branches every execution is
        // fed in order. Both must give the same mix.
        const auto mix_only = QemuSimulator{}.run(binary, target, mix);
        CHECK(mix_only.stats.instructions == first.stats.instructions);
        CHECK(mix_only.stats.by_class == first.stats.by_class);
        CHECK(mix_only.stats.basic_blocks == first.stats.basic_blocks);
        CHECK(mix_only.stats.mem_reads == 0);
        CHECK(mix_only.stats.l1d_accesses == 0);

        const auto bare = QemuSimulator{}.run(binary, target, none);
        CHECK(bare.stats.instructions == first.stats.instructions);
        CHECK(class_sum(bare.stats) == 0);
    }
}

TEST_CASE("sampled memory statistics: traffic within 2 % of exact, misses within the stated interval") {
    // Kernels of bench_qemu's sizes (tens to hundreds of millions of instructions: sampling is for
    // long regions of interest), with SamplingOptions' defaults.
    for (const auto& target : all_targets()) {
        for (const auto& sized : tk::large_kernels()) {
            CAPTURE(target.name);
            CAPTURE(sized.name());
            const auto binary = tk::build(sized, target);
            auto collectors = CollectorSet::mix_only();
            collectors.add_memory().add_caches(target.caches);
            const auto exact = QemuSimulator{}.run(binary, target, collectors);
            QemuOptions options;
            options.sampling.enabled = true;
            const auto sampled = QemuSimulator{options}.run(binary, target, collectors);
            simtune::testing::check_sampled_against_exact(exact, sampled, options.sampling);
            // Deterministic: the schedule depends on instruction counts only.
            const auto again = QemuSimulator{options}.run(binary, target, collectors);
            CHECK(again.stats == sampled.stats);
            CHECK(again.sampling->half_width == sampled.sampling->half_width);
        }
    }
}

TEST_CASE("sampled: a rest no window saw widens the interval by what its own code could hold") {
    for (const auto& target : all_targets()) {
        CAPTURE(target.name);
        const auto k = build_kernel(simtune::testing::two_phase_kernel,
                                    parse_buffer_spec(simtune::testing::two_phase_buffers), target);
        auto collectors = CollectorSet::mix_only();
        collectors.add_memory().add_caches(target.caches);
        QemuOptions options;
        options.sampling.enabled = true;
        simtune::testing::check_unseen_rest(QemuSimulator{}.run(k, target, collectors),
                                            QemuSimulator{options}.run(k, target, collectors), false);
    }
}

TEST_CASE("sampling is off by default and ignored with the dataflow collector") {
    const auto target = host_x86_64();
    const auto binary = tk::build(tk::gemm, target);
    auto all = CollectorSet::all(target);
    QemuOptions options;
    CHECK_FALSE(options.sampling.enabled);
    options.sampling.enabled = true;
    const auto exact = QemuSimulator{}.run(binary, target, all);
    const auto with_dataflow = QemuSimulator{options}.run(binary, target, all);
    CHECK_FALSE(with_dataflow.sampling.has_value());
    CHECK(with_dataflow.stats == exact.stats);
    // A region of interest shorter than the first window (a warm-up and a window) is counted
    // exactly, and says so.
    options.sampling.window = 50'000'000;
    options.sampling.period = 100'000'000;
    auto memory = CollectorSet::mix_only();
    memory.add_memory().add_caches(target.caches);
    const auto short_exact = QemuSimulator{}.run(binary, target, memory);
    const auto short_sampled = QemuSimulator{options}.run(binary, target, memory);
    REQUIRE(short_sampled.sampling.has_value());
    CHECK(short_sampled.sampling->windows == 1);
    CHECK(short_sampled.stats == short_exact.stats);
    CHECK(short_sampled.sampling->half_width == Stats{});
    // So is a longer region with an exact prefix longer than it.
    options.sampling = {.enabled = true, .period = 3000, .warmup = 200, .window = 300, .exact_prefix = 100'000'000};
    const auto prefixed = QemuSimulator{options}.run(binary, target, memory);
    REQUIRE(prefixed.sampling.has_value());
    CHECK(prefixed.sampling->windows == 1);
    CHECK(prefixed.stats == short_exact.stats);
    options.sampling.period = options.sampling.warmup + options.sampling.window;
    CHECK(error_kind_of([&] { (void)QemuSimulator{options}.run(binary, target, memory); }) ==
          ErrorKind::invalid_argument);
}

TEST_CASE("QEMU statistics are a function of the binary alone") {
    // Simulated caches see every address, so anything outside the binary that moved a guest
    // address would change the statistics: the environment, argv and file name (on the guest's
    // initial stack), the binary's real path (static glibc reads /proc/self/exe at start-up and
    // allocates by its length, moving the heap), the working directory, TMPDIR (where the scratch
    // directory lies), or another run at the same time. The harness maps the buffers and the
    // region of interest's stack at fixed addresses, so none of these may change a counter. The
    // packed GEMM variant keeps a tile on the stack, the unpacked one does not.
    const auto scratch = scratch_dir("qemu-inputs");
    const auto longer = scratch / "a-much-longer-directory-name-than-the-build-cache-uses";
    std::filesystem::create_directories(longer / "tmp");
    std::vector<Variant> variants;
    for (const auto& v : enumerate_variants(workload_by_name("gemm-128x128x128"), 0, 1)) {
        if (std::ranges::none_of(variants, [&](const Variant& w) { return w.knobs.at("pack") == v.knobs.at("pack"); }))
            variants.push_back(v);
        if (variants.size() == 2) break;
    }
    REQUIRE(variants.size() == 2);
    for (const auto& target : {host_x86_64(), cortex_a72(), sifive_u74()}) {
        for (const auto& variant : variants) {
            // The packed variant on every ISA; the unpacked one on the host only (time).
            if (variant.knobs.at("pack") == 0 && target.isa != Isa::x86_64) continue;
            CAPTURE(target.name);
            CAPTURE(variant.key());
            BuildOptions build;
            build.flags = variant.flags;
            const auto binary = build_kernel(variant.source, variant.buffers, target, build);
            auto run = [&](const KernelBinary& b) {
                auto full = CollectorSet::all(target);
                return QemuSimulator{}.run(b, target, full).stats;
            };
            const auto reference = run(binary);
            CHECK(reference.l1d_misses > 0);

            // Each input varied alone, with the same binary.
            const auto moved = longer / "kernel-binary.elf";
            std::filesystem::copy_file(binary.path(), moved, std::filesystem::copy_options::overwrite_existing);
            CHECK_MESSAGE(run(KernelBinary::load(moved)) == reference, "binary path");

            ::setenv("SIMTUNE_TEST_PADDING", "an environment variable of some length, as a launcher sets", 1);
            const auto padded = run(binary);
            ::unsetenv("SIMTUNE_TEST_PADDING");
            CHECK_MESSAGE(padded == reference, "environment");

            const auto before = std::filesystem::current_path();
            std::filesystem::current_path(longer);
            const auto elsewhere = run(binary);
            std::filesystem::current_path(before);
            CHECK_MESSAGE(elsewhere == reference, "working directory");

            const char* old_tmpdir = std::getenv("TMPDIR");
            const std::string saved_tmpdir = old_tmpdir ? old_tmpdir : "";
            ::setenv("TMPDIR", (longer / "tmp").c_str(), 1);
            const auto other_tmp = run(binary);
            if (old_tmpdir) ::setenv("TMPDIR", saved_tmpdir.c_str(), 1);
            else ::unsetenv("TMPDIR");
            CHECK_MESSAGE(other_tmp == reference, "TMPDIR");

            CHECK_MESSAGE(run(binary) == reference, "repeated run");
            auto first = std::async(std::launch::async, run, std::cref(binary));
            auto second = std::async(std::launch::async, run, std::cref(binary));
            CHECK_MESSAGE(first.get() == reference, "two runs at once");
            CHECK_MESSAGE(second.get() == reference, "two runs at once");
        }
    }
    std::filesystem::remove_all(scratch);
}

TEST_CASE("parallel QEMU runs do not interfere") {
    const auto target = cortex_a72();
    const auto gemm = tk::build(tk::gemm, target);
    const auto conv = tk::build(tk::depthwise_conv, target);
    auto run = [&](const KernelBinary& binary) {
        auto collectors = CollectorSet::all(target);
        return QemuSimulator{}.run(binary, target, collectors);
    };
    const auto gemm_alone = run(gemm), conv_alone = run(conv);
    std::vector<std::future<SimulationResult>> runs;
    for (int i = 0; i < 4; ++i) runs.push_back(std::async(std::launch::async, run, std::cref(i % 2 ? conv : gemm)));
    for (int i = 0; i < 4; ++i) {
        const auto r = runs[static_cast<std::size_t>(i)].get();
        CHECK(r.stats == (i % 2 ? conv_alone : gemm_alone).stats);
        CHECK(r.buffers == (i % 2 ? conv_alone : gemm_alone).buffers);
    }
}

TEST_CASE("QEMU failures are clear errors") {
    const auto target = host_x86_64();
    const auto gemm = tk::build(tk::gemm, target);
    auto collectors = CollectorSet::mix_only();
    std::string message;

    SUBCASE("QEMU not installed") {
        auto bogus = target;
        bogus.qemu_binary = "qemu-simtune-no-such-binary";
        CHECK(error_kind_of([&] { QemuSimulator{}.run(gemm, bogus, collectors); }, &message) ==
              ErrorKind::tool_missing);
        CHECK(message.find("qemu-simtune-no-such-binary") != std::string::npos);
    }
    SUBCASE("plugin missing or not a plugin") {
        QemuOptions options;
        options.plugin = "/nonexistent/libsimtune_qemu_plugin.so";
        CHECK(error_kind_of([&] { QemuSimulator{options}.run(gemm, target, collectors); }) == ErrorKind::tool_missing);
        // A real shared library without qemu_plugin_version: QEMU refuses to load it.
        options.plugin = std::filesystem::temp_directory_path() / fmt::format("simtune-not-a-plugin-{}.so", ::getpid());
        std::filesystem::copy_file(QemuSimulator{}.plugin_path(), options.plugin,
                                   std::filesystem::copy_options::overwrite_existing);
        std::filesystem::resize_file(options.plugin, 100); // truncated ELF: dlopen fails
        CHECK(error_kind_of([&] { QemuSimulator{options}.run(gemm, target, collectors); }, &message) ==
              ErrorKind::tool_missing);
        CHECK(message.find("could not load the simtune plugin") != std::string::npos);
        std::filesystem::remove(options.plugin);
    }
    SUBCASE("wrong ISA") {
        CHECK(error_kind_of([&] { QemuSimulator{}.run(gemm, cortex_a72(), collectors); }) == ErrorKind::wrong_isa);
    }
    SUBCASE("a kernel that segfaults") {
        for (const auto& t : all_targets()) {
            CAPTURE(t.name);
            const auto bad = tk::build(tk::segfault, t);
            CHECK(error_kind_of([&] { QemuSimulator{}.run(bad, t, collectors); }, &message) ==
                  ErrorKind::simulation_fault);
            CHECK(message.find("signal 11") != std::string::npos);
        }
    }
    SUBCASE("a kernel that never returns hits the time limit") {
        const auto spin = tk::build(tk::spin, target);
        QemuOptions options;
        options.limits.timeout = std::chrono::milliseconds(1500);
        options.limits.max_instructions = 0xFFFF'FFFF'FFFF'FFFFULL;
        const auto start = std::chrono::steady_clock::now();
        CHECK(error_kind_of([&] { QemuSimulator{options}.run(spin, target, collectors); }) == ErrorKind::time_limit);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    }
    SUBCASE("the instruction limit, at ROI end and while running") {
        QemuOptions options;
        auto full = CollectorSet::all(target);
        const auto exact = QemuSimulator{}.run(gemm, target, full).stats.instructions;
        options.limits.max_instructions = exact;
        CHECK(QemuSimulator{options}.run(gemm, target, full).stats.instructions == exact);
        options.limits.max_instructions = exact - 1;
        CHECK(error_kind_of([&] { QemuSimulator{options}.run(gemm, target, full); }) == ErrorKind::instruction_limit);
        // A kernel that never returns is stopped by the plugin's watchdog long before the timeout.
        const auto spin = tk::build(tk::spin, target);
        options.limits.max_instructions = 20'000'000;
        options.limits.timeout = std::chrono::milliseconds(60'000);
        const auto start = std::chrono::steady_clock::now();
        CHECK(error_kind_of([&] { QemuSimulator{options}.run(spin, target, full); }, &message) ==
              ErrorKind::instruction_limit);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
    }
}

TEST_CASE("the plugin report is parsed strictly") {
    Stats stats;
    stats.instructions = 10;
    stats.counter(InsnClass::load) = 4;
    stats.counter(InsnClass::int_alu) = 6;
    stats.l2_misses = 3;
    stats.basic_blocks = 2;
    stats.dtlb_misses = 5; // the counters appended last (version 3) round-trip too
    stats.l2_stream_misses = 1;
    std::string good = fmt::format("simtune-qemu-stats {}\nstatus ok\n", qemu_report::version);
    const auto names = Stats::feature_names();
    const auto values = stats.to_features();
    for (std::size_t i = 0; i < names.size(); ++i)
        good += fmt::format("{} {}\n", names[i], static_cast<std::uint64_t>(values[i]));
    // Block executions are 64-bit: a count past 2^32 must survive.
    good += "blocks 2\n0x401000 0x401020 12345678901\n0x401020 0x401028 1\nsampling 0\nend\n";
    CHECK(parse_qemu_plugin_report(good) == stats);
    const auto report = qemu_report::parse(good, "good");
    CHECK(report.blocks ==
          std::vector<qemu_report::BlockExecutions>{{0x401000, 0x401020, 12345678901}, {0x401020, 0x401028, 1}});
    CHECK(qemu_report::format(report) == good);
    auto sampled = report;
    sampled.sampling = qemu_report::Sampling{12, 600000, 25, stats};
    CHECK(qemu_report::parse(qemu_report::format(sampled), "sampled") == sampled);
    std::string misnamed = qemu_report::format(sampled);
    misnamed.replace(misnamed.find("interval l2_misses"), 18, "interval l1_misses");
    CHECK_THROWS_AS((void)qemu_report::parse(misnamed, "misnamed"), Error);

    auto kind = [](const std::string& text) { return error_kind_of([&] { (void)parse_qemu_plugin_report(text); }); };
    CHECK(kind("") == ErrorKind::invalid_output);
    CHECK(kind(good.substr(0, good.size() - 1)) == ErrorKind::invalid_output); // no final newline
    CHECK(kind(good.substr(0, good.size() / 2)) == ErrorKind::invalid_output); // truncated
    CHECK(kind(good + "extra 1\n") == ErrorKind::invalid_output);
    std::string other_version = good;
    other_version.replace(other_version.find(" 8\n"), 3, " 7\n"); // version 7 had no dataflow_memory_cycles
    CHECK(kind(other_version) == ErrorKind::invalid_output);
    std::string garbage = good;
    garbage.replace(garbage.find("load 4"), 6, "load x");
    CHECK(kind(garbage) == ErrorKind::invalid_output);
    std::string negative = good;
    negative.replace(negative.find("load 4"), 6, "load -4");
    CHECK(kind(negative) == ErrorKind::invalid_output);
    std::string swapped = good;
    swapped.replace(swapped.find("int_alu"), 7, "mul_div");
    CHECK(kind(swapped) == ErrorKind::invalid_output);
    std::string unknown_status = good;
    unknown_status.replace(unknown_status.find("status ok"), 9, "status maybe");
    CHECK(kind(unknown_status) == ErrorKind::invalid_output);
    std::string limit = good;
    limit.replace(limit.find("status ok"), 9, "status instruction_limit");
    CHECK(kind(limit) == ErrorKind::instruction_limit);
    std::string fewer_blocks = good;
    fewer_blocks.replace(fewer_blocks.find("\nblocks 2"), 9, "\nblocks 3");
    CHECK(kind(fewer_blocks) == ErrorKind::invalid_output);
    std::string decimal_address = good;
    decimal_address.replace(decimal_address.find("0x401000 "), 9, "4198400 ");
    CHECK(kind(decimal_address) == ErrorKind::invalid_output);
    std::string empty_block = good;
    empty_block.replace(empty_block.find("0x401020 0x401028"), 17, "0x401020 0x401020");
    CHECK(kind(empty_block) == ErrorKind::invalid_output);
}
