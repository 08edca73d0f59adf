// Specification of the built-in workload spaces: hundreds of distinct schedules per workload, a
// deterministic sample, and the same result from every variant.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <set>

#include <simtune/research.hpp>

using namespace simtune;
namespace fs = std::filesystem;

TEST_CASE("every built-in workload has hundreds of distinct, valid variants") {
    for (const auto& w : builtin_workloads()) {
        CAPTURE(w.name);
        const auto all = enumerate_variants(w);
        CHECK(all.size() >= 300);
        std::set<std::string> ids, sources;
        for (const auto& v : all) {
            ids.insert(v.id);
            sources.insert(v.source + fmt::format("{}", fmt::join(v.flags, " ")));
            CHECK(v.workload == w.name);
            CHECK(v.buffers == w.buffers());
        }
        CHECK(ids.size() == all.size());     // ids are unique
        CHECK(sources.size() == all.size()); // and so are the schedules behind them
        CHECK(w.macs() > 100'000);
        CHECK(workload_by_name(w.name).dims == w.dims);
    }
    CHECK_THROWS_AS(workload_by_name("gemm-3x3x3"), Error);
}

TEST_CASE("sampling is deterministic for a seed and differs between seeds") {
    const auto w = workload_by_name("conv2d-nhwc-16x16x32x32-3x3");
    const auto a = enumerate_variants(w, 50, 11), b = enumerate_variants(w, 50, 11), c = enumerate_variants(w, 50, 12);
    REQUIRE(a.size() == 50);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].id == b[i].id);
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) same += a[i].id == c[i].id;
    CHECK(same < 10);
}

TEST_CASE("variants of a workload compute the same output, natively and in simulation") {
    const auto dir = fs::temp_directory_path() / fmt::format("simtune-test-workloads-{}", ::getpid());
    BuildOptions opts;
    opts.cache_dir = dir;
    const auto host = host_x86_64();
    for (const auto& w : builtin_workloads()) {
        CAPTURE(w.name);
        std::vector<float> reference;
        for (const auto& v : enumerate_variants(w, 4, 3)) {
            CAPTURE(v.id);
            BuildOptions o = opts;
            o.flags = v.flags;
            const auto k = build_kernel(v.source, v.buffers, host, o);
            const auto dump = dir / "out.bin";
            const auto r = run_process({k.path().string(), "--dump", dump.string()});
            REQUIRE_MESSAGE(r.ok(), r.describe(), r.err);
            std::ifstream in(dump, std::ios::binary);
            std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
            const auto out = v.buffers.back();
            REQUIRE(bytes.size() >= out.bytes());
            std::vector<float> result(out.count);
            std::memcpy(result.data(), bytes.data() + bytes.size() - out.bytes(), out.bytes());
            if (reference.empty()) {
                reference = result;
                double magnitude = 0;
                for (float x : result) magnitude += std::abs(x);
                CHECK(magnitude > 0); // the kernel really wrote its output
                continue;
            }
            for (std::size_t i = 0; i < result.size(); ++i) REQUIRE(result[i] == doctest::Approx(reference[i]).epsilon(1e-5));
        }
        // In simulation too: two variants under Unicorn give the native reference's output.
        UnicornSimulator unicorn;
        for (const auto& v : enumerate_variants(w, 2, 5)) {
            CAPTURE(v.id);
            BuildOptions o = opts;
            o.flags = v.flags;
            const auto k = build_kernel(v.source, v.buffers, host, o);
            CollectorSet none;
            const auto sim = unicorn.run(k, host, none);
            REQUIRE(sim.buffers.size() == v.buffers.size());
            const auto& out = sim.buffers.back();
            REQUIRE(out.size() == reference.size() * sizeof(float));
            std::vector<float> result(reference.size());
            std::memcpy(result.data(), out.data(), out.size());
            for (std::size_t i = 0; i < result.size(); ++i) REQUIRE(result[i] == doctest::Approx(reference[i]).epsilon(1e-5));
        }
    }
    fs::remove_all(dir);
}
