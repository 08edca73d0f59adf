// PipelineModel (LLVM MCA) on hand-encoded blocks of each ISA, the pipeline collector under
// Unicorn on a real kernel, and the compatibility of files written before the mca_* counters.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <string>
#include <vector>

#include "kernels/test_kernels.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/isa/pipeline_model.hpp"
#include "simtune/simulators/unicorn.hpp"
#include "simtune/tuning/dataset.hpp"
#include "simtune/predict.hpp"
#include "simtune/predictors/ridge.hpp"
#include "support.hpp"

using namespace simtune;
namespace tk = simtune::test_kernels;

namespace {

/// Little-endian bytes of 32-bit instruction words (AArch64, RISC-V).
std::vector<std::byte> words(std::initializer_list<std::uint32_t> ws) {
    std::vector<std::byte> out;
    for (std::uint32_t w : ws)
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>(w >> (8 * i)));
    return out;
}
std::vector<std::byte> bytes(std::initializer_list<unsigned> bs) {
    std::vector<std::byte> out;
    for (unsigned b : bs) out.push_back(static_cast<std::byte>(b));
    return out;
}

struct Chains {
    Target target;
    std::vector<std::byte> dependent;   ///< four FP adds, each reading the previous one's result
    std::vector<std::byte> independent; ///< four FP adds of the same two source registers
};

std::vector<Chains> fp_add_blocks() {
    // x86-64: addsd xmm0,xmm1 ×4 / addsd xmm0..3,xmm4 (F2 0F 58 /r).
    // AArch64: fadd d0,d0,d1 ×4 / fadd d0..3,d8,d9 (0x1E602800 | Rm<<16 | Rn<<5 | Rd).
    // RISC-V: fadd.d f0,f0,f1 ×4 / fadd.d f0..3,f8,f9 (funct7 1, rm dyn).
    return {
        {host_x86_64(),
         bytes({0xF2, 0x0F, 0x58, 0xC1, 0xF2, 0x0F, 0x58, 0xC1, 0xF2, 0x0F, 0x58, 0xC1, 0xF2, 0x0F, 0x58, 0xC1}),
         bytes({0xF2, 0x0F, 0x58, 0xC4, 0xF2, 0x0F, 0x58, 0xCC, 0xF2, 0x0F, 0x58, 0xD4, 0xF2, 0x0F, 0x58, 0xDC})},
        {cortex_a72(), words({0x1E612800, 0x1E612800, 0x1E612800, 0x1E612800}),
         words({0x1E692900, 0x1E692901, 0x1E692902, 0x1E692903})},
        {sifive_u74(), words({0x02107053, 0x02107053, 0x02107053, 0x02107053}),
         words({0x02947053, 0x029470D3, 0x02947153, 0x029471D3})},
    };
}

} // namespace

TEST_CASE("a dependent chain of FP adds costs more cycles than independent adds, on every ISA") {
    for (const auto& c : fp_add_blocks()) {
        CAPTURE(c.target.name);
        const PipelineModel model(PipelineCpu::of(c.target));
        MESSAGE(c.target.name, ": LLVM CPU ", model.cpu_name());
        const BlockCost dependent = model.cost(c.dependent, 0x1000);
        const BlockCost independent = model.cost(c.independent, 0x1000);
        INFO("dependent: ", dependent.cycles, " cycles, ", dependent.resource_cycles, " resource cycles, ",
             dependent.uops, " uops; independent: ", independent.cycles, " cycles, ", independent.resource_cycles,
             " resource cycles, ", independent.uops, " uops");
        CHECK(dependent.instructions == 4);
        CHECK(independent.instructions == 4);
        CHECK(dependent.unsupported == 0);
        CHECK(independent.unsupported == 0);
        // Four chained adds take at least four FP-add latencies (>= 2 cycles each on all three).
        CHECK(dependent.cycles >= 7.5);
        CHECK(dependent.cycles > 1.5 * independent.cycles);
        // The same instructions need the same resources whatever their dependencies.
        CHECK(dependent.resource_cycles == doctest::Approx(independent.resource_cycles));
        CHECK(dependent.uops == independent.uops);
        CHECK(dependent.uops >= 4);
    }
}

TEST_CASE("bytes that do not decode are charged, counted and never crash") {
    const std::vector<std::pair<Target, std::vector<std::byte>>> garbage{
        {host_x86_64(), bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x06, 0x07})},
        {cortex_a72(), words({0xFFFFFFFF, 0x00000000})},
        {sifive_u74(), words({0x00000000, 0xFFFFFFFF})},
    };
    for (const auto& [target, code] : garbage) {
        CAPTURE(target.name);
        const PipelineModel model(PipelineCpu::of(target));
        const BlockCost c = model.cost(code, 0x2000);
        CHECK(c.unsupported > 0);
        CHECK(c.unsupported <= c.instructions);
        CHECK(c.cycles >= c.unsupported);
        CHECK(c.uops >= c.unsupported);
        // Odd lengths and a truncated last instruction too.
        const BlockCost tail = model.cost(std::span(code).first(code.size() - 1), 0x2000);
        CHECK(tail.unsupported > 0);
        CHECK(model.cost({}, 0x2000) == BlockCost{});
    }
}

TEST_CASE("costs are cached by block bytes and the model is safe to share between threads") {
    auto model = PipelineModel::shared(PipelineCpu::of(cortex_a72()));
    CHECK(model == PipelineModel::shared(PipelineCpu::of(cortex_a72())));
    const auto blocks = fp_add_blocks()[1];
    const BlockCost dependent = model->cost(blocks.dependent, 0x1000);
    const std::size_t analysed = model->blocks_analysed();
    CHECK(model->cost(blocks.dependent, 0x5000) == dependent); // same bytes elsewhere: same block
    CHECK(model->blocks_analysed() == analysed);

    std::vector<std::future<bool>> workers;
    for (int t = 0; t < 4; ++t)
        workers.push_back(std::async(std::launch::async, [&, t] {
            bool same = true;
            for (int i = 0; i < 50; ++i) {
                // Distinct blocks per thread and iteration: the independent adds plus i extra ones.
                std::vector<std::byte> code = blocks.independent;
                for (int k = 0; k < (i + t) % 7; ++k)
                    code.insert(code.end(), blocks.dependent.begin(), blocks.dependent.begin() + 4);
                const BlockCost first = model->cost(code, 0x1000);
                same = same && model->cost(code, 0x1000) == first && first.unsupported == 0;
            }
            return same;
        }));
    for (auto& w : workers) CHECK(w.get());
}

TEST_CASE("the host is priced with its own model, or Zen 3's for an AMD core newer than LLVM 15") {
    const auto model = PipelineModel::shared(PipelineCpu::of(host_x86_64()));
    MESSAGE("host pipeline model: ", model->cpu_name());
    // /proc/cpuinfo, not the cpuid the model reads, says which vendor and family this is.
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line, vendor;
    int family = 0;
    while (std::getline(cpuinfo, line) && (vendor.empty() || family == 0)) {
        if (line.starts_with("vendor_id")) vendor = line.substr(line.find(':') + 2);
        if (line.starts_with("cpu family")) family = std::stoi(line.substr(line.find(':') + 2));
    }
    if (const char* named = std::getenv("SIMTUNE_HOST_CPU"); named && *named) CHECK(model->cpu_name() == named);
    else if (vendor == "AuthenticAMD" && family >= 0x19) CHECK(model->cpu_name() == "znver3");
    else CHECK(!model->cpu_name().empty());
}

TEST_CASE("an unknown CPU is a clear error") {
    testing::check_error(
        [] {
            PipelineModel(PipelineCpu{Isa::aarch64, "cortex-z99", ""});
        },
        ErrorKind::invalid_argument, {"cortex-z99", "aarch64"});
}

TEST_CASE("the MCA step costs milliseconds per distinct block (measured)") {
    // Fresh models, so every block is analysed, not looked up.
    for (const auto& c : fp_add_blocks()) {
        const PipelineModel model(PipelineCpu::of(c.target));
        std::vector<std::byte> code;
        const auto start = std::chrono::steady_clock::now();
        constexpr int blocks = 20;
        for (int i = 0; i < blocks; ++i) {
            code.insert(code.end(), c.independent.begin(), c.independent.end()); // 4..80 instructions
            (void)model.cost(code, 0x1000);
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        // Reported, not asserted: speed goals live in benchmarks/, and this machine is shared.
        MESSAGE(c.target.name, ": ", ms / blocks, " ms per block of 4-80 instructions");
    }
}

TEST_CASE("Unicorn fills the mca_* counters of a kernel with the pipeline collector") {
    for (const auto& target : {host_x86_64(), cortex_a72(), sifive_u74()}) {
        CAPTURE(target.name);
        const auto binary = tk::build(tk::gemm, target);
        UnicornSimulator unicorn;
        auto with = CollectorSelection::none();
        with.pipeline = true;
        auto collectors = with.make(target);
        const auto start = std::chrono::steady_clock::now();
        const auto r = unicorn.run(binary, target, collectors);
        const double first_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        const std::size_t blocks = collectors.pipeline()->executions().size();
        MESSAGE(target.name, ": ", blocks, " distinct blocks; first run (simulation + MCA) ", first_ms, " ms; ",
                fmt::format("{}", r.stats));
        CHECK(blocks > 1);
        CHECK(r.stats.mca_cycles > 0);
        CHECK(r.stats.mca_resource_cycles > 0);
        CHECK(r.stats.mca_resource_cycles <= r.stats.mca_cycles + r.stats.instructions / 100);
        CHECK(r.stats.mca_uops >= r.stats.instructions / 2);
        CHECK(r.stats.mca_unsupported == 0);
        // Deterministic, and the same from the cache on a second run.
        auto again = with.make(target);
        CHECK(unicorn.run(binary, target, again).stats == r.stats);

        // Without the collector the counters stay zero.
        auto none = CollectorSet::mix_only();
        const auto plain = unicorn.run(binary, target, none).stats;
        CHECK(plain.mca_cycles == 0);
        CHECK(plain.mca_uops == 0);
    }
}

TEST_CASE("a dataset written before the mca_* counters loads, and trains without them") {
    const auto old_csv = std::filesystem::path(SIMTUNE_SOURCE_DIR) / "benchmarks" / "experiment-dataset.csv";
    const Dataset old = Dataset::load_csv(old_csv);
    REQUIRE(!old.rows.empty());
    CHECK(old.counters == Stats::base_feature_count);
    for (const auto& simulator : old.simulators()) {
        const TrainingSet t = old.training_set(simulator);
        CHECK(t.feature_names.size() == Stats::base_feature_count);
        CHECK(static_cast<std::size_t>(t.features.cols()) == Stats::base_feature_count);
        CHECK(std::ranges::find(t.feature_names, "mca_cycles") == t.feature_names.end());
    }
    // Saved again, it keeps its old columns (no invented zeros), and reads back the same.
    const auto dir = testing::scratch_dir("pipeline-dataset");
    old.save_csv(dir / "old.csv");
    std::ifstream a(old_csv), b(dir / "old.csv");
    std::string header_a, header_b;
    std::getline(a, header_a);
    std::getline(b, header_b);
    CHECK(header_a == header_b);
    CHECK(Dataset::load_csv(dir / "old.csv").rows.size() == old.rows.size());

    // A dataset of every layout (today's: every counter; the one before the store-miss counters,
    // benchmarks/corpus-dataset-round2.csv; the one before the TLB and stream counters) is written
    // with its own columns and reads back with them: the later counters are absent.
    for (const std::size_t counters : {Stats::feature_count, Stats::tlb_feature_count, Stats::pipeline_feature_count}) {
        CAPTURE(counters);
        Dataset d = old;
        d.counters = counters;
        const auto file = dir / fmt::format("layout-{}.csv", counters);
        d.save_csv(file);
        const Dataset reread = Dataset::load_csv(file);
        CHECK(reread.counters == counters);
        CHECK(reread.training_set(reread.simulators().front()).feature_names.size() == counters);
    }
    // A file with only some of the appended columns is not a file of any version.
    std::ifstream in(dir / fmt::format("layout-{}.csv", Stats::feature_count));
    std::string header, rest((std::istreambuf_iterator<char>(in)), {});
    header = rest.substr(0, rest.find('\n'));
    const auto cut = header.find(",unicorn.mca_uops");
    if (cut != std::string::npos) {
        std::string broken = rest;
        broken.erase(cut, std::string(",unicorn.mca_uops").size());
        std::ofstream(dir / "broken.csv") << broken;
        CHECK_THROWS_AS(Dataset::load_csv(dir / "broken.csv"), Error);
    }
}

TEST_CASE("a model trained without the mca_* counters is fed the ones it names; the shipped one reads them") {
    // A model over the counters Stats had before the pipeline counters were appended.
    TrainingSet old;
    for (std::size_t i = 0; i < Stats::base_feature_count; ++i)
        old.feature_names.emplace_back(Stats::feature_names()[i]);
    old.features = Eigen::MatrixXd::Ones(40, static_cast<Eigen::Index>(Stats::base_feature_count));
    old.seconds.resize(40);
    for (Eigen::Index r = 0; r < 40; ++r) {
        old.features.row(r) *= static_cast<double>(1000 + 100 * r);
        old.seconds[r] = 1e-9 * (1000.0 + 100.0 * static_cast<double>(r));
    }
    RidgeRegressor ridge(RidgeOptions{.target = "host-x86-64@unicorn"});
    ridge.fit(old);
    const auto dir = simtune::testing::scratch_dir("old-model");
    ridge.save(dir / "old.model");
    const TargetModel model = load_target_model(dir / "old.model");
    Stats stats;
    stats.instructions = 1'000'000;
    stats.counter(InsnClass::int_alu) = 600'000;
    stats.counter(InsnClass::load) = 400'000;
    stats.mem_reads = 400'000;
    stats.bytes_loaded = 1'600'000;
    stats.l1d_accesses = 400'000;
    stats.l1d_misses = 1'000;
    stats.basic_blocks = 100'000;
    const double plain = model.scorer(stats);
    CHECK(std::isfinite(plain));
    // The model names its counters: the appended ones do not change its prediction...
    stats.mca_cycles = 123'456'789;
    stats.mca_uops = 5;
    CHECK(model.scorer(stats) == plain);
    // ... and it does not ask for them.
    CHECK_FALSE(model.collectors.pipeline);
    CHECK(model.collectors.caches);
    std::filesystem::remove_all(dir);

    // The shipped host model is anchored on the MCA cycle estimate: it asks for the pipeline
    // collector, and twice the estimated cycles (same ratios otherwise) predict a slower kernel.
    const TargetModel shipped = default_model(host_x86_64());
    CHECK(shipped.collectors.pipeline);
    stats.mca_cycles = 2'000'000;
    stats.mca_resource_cycles = 1'000'000;
    stats.mca_uops = 1'200'000;
    const double once = shipped.scorer(stats);
    Stats twice = stats;
    twice += stats;
    CHECK(std::isfinite(once));
    CHECK(shipped.scorer(twice) > once);
}
