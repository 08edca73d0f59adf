// Specification of the MPI-free half of distributed simulation: the round-robin shard and its
// inverse, the result messages (every field survives, binaries arrive runnable, malformed messages
// are refused), and run_sharded / build_dataset / Tuner over a Collective of threads (a group
// of threads defined below, not MPI): the root's results equal one process's, a candidate failing on
// another rank reaches the root as a failure, a rank given other inputs is refused. The same over
// real MPI ranks (mpirun -np 2) is tests/mpi/run.sh.
#include <doctest/doctest.h>

#include <barrier>
#include <fstream>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include <simtune/tuning/sharded_run.hpp>
#include <simtune/research.hpp>

#include "support.hpp"

using namespace simtune;
using namespace simtune::testing;
namespace fs = std::filesystem;

namespace {

/// A Collective whose ranks are threads of this process: collective calls meet at a barrier.
class ThreadGroup {
public:
    explicit ThreadGroup(std::size_t size) : size_(size), barrier_(static_cast<std::ptrdiff_t>(size)), slots_(size) {}

    class Member final : public Collective {
    public:
        Member(ThreadGroup& group, std::size_t rank) : group_(group), rank_(rank) {}
        std::size_t rank() const noexcept override { return rank_; }
        std::size_t size() const noexcept override { return group_.size_; }
        std::vector<std::string> gather(std::string_view mine) override {
            group_.slots_[rank_] = std::string(mine);
            group_.barrier_.arrive_and_wait();
            std::vector<std::string> all;
            if (rank_ == 0) all = group_.slots_;
            group_.barrier_.arrive_and_wait();
            return all;
        }
        void broadcast(std::string& message) override {
            if (rank_ == 0) group_.slots_[0] = message;
            group_.barrier_.arrive_and_wait();
            if (rank_ != 0) message = group_.slots_[0];
            group_.barrier_.arrive_and_wait();
        }

    private:
        ThreadGroup& group_;
        std::size_t rank_;
    };

    /// Runs `body(member)` on every rank, each in its own thread; rethrows the first exception
    /// thrown (in time: a rank dropping out can make the others fail after it).
    template <class Body>
    void run(Body body) {
        std::exception_ptr first;
        std::mutex lock;
        {
            std::vector<std::jthread> threads;
            for (std::size_t r = 0; r < size_; ++r)
                threads.emplace_back([&, r] {
                    Member member(*this, r);
                    try {
                        body(member);
                    } catch (...) {
                        {
                            std::scoped_lock l(lock);
                            if (!first) first = std::current_exception();
                        }
                        barrier_.arrive_and_drop(); // like MPI_Abort: the others must not wait for it
                    }
                });
        }
        if (first) std::rethrow_exception(first);
    }

private:
    std::size_t size_;
    std::barrier<> barrier_;
    std::vector<std::string> slots_;
};

std::vector<Candidate> loop_candidates(int n) { return scaling_loop_candidates(n, 3); }

} // namespace

TEST_CASE("round-robin shards partition a batch and merge back into batch order") {
    for (std::size_t count = 1; count <= 4; ++count)
        for (std::size_t total = 0; total <= 11; ++total) {
            std::vector<int> items(total);
            std::iota(items.begin(), items.end(), 100);
            std::vector<std::vector<int>> parts;
            std::size_t sizes = 0;
            for (std::size_t r = 0; r < count; ++r) {
                const Shard shard{r, count};
                parts.push_back(take_shard(std::span<const int>(items), shard));
                CHECK(parts.back().size() == shard.size_of(total));
                sizes += shard.size_of(total);
                for (std::size_t i = 0; i < parts.back().size(); ++i) {
                    CHECK(parts.back()[i] == items[shard.global_index(i)]);
                    CHECK(shard.owns(shard.global_index(i)));
                }
            }
            CHECK(sizes == total);
            CHECK(merge_shards(std::move(parts), total) == items);
        }
    CHECK_THROWS_AS(merge_shards(std::vector<std::vector<int>>{{1, 2}, {3, 4}}, 5), Error);
    CHECK_THROWS_AS(take_shard(std::span<const int>(), Shard{2, 2}), Error);
}

TEST_CASE("result messages carry every field exactly and refuse malformed input") {
    std::vector<CandidateResult> results(3);
    results[0].index = 4;
    results[0].name = "gemm/t8:u2, with \"odd\" name\n";
    results[0].stats = Stats{};
    results[0].stats->instructions = (std::uint64_t{1} << 60) + 7; // beyond a double's exact range
    results[0].stats->by_class[3] = 12345;
    results[0].stats->llc_misses = 9;
    results[0].predicted_seconds = 1.0 / 3.0;
    results[0].measured_seconds = 2.5e-7;
    results[0].simulation_seconds = 0.125;
    results[1].index = 7;
    results[1].name = "broken";
    results[1].error_kind = ErrorKind::simulation_fault;
    results[1].error = "faulted: write at 0x8 (unmapped)";
    results[2].name = "";
    results[2].cache_hit = true;
    const auto back = decode_results(encode_results(results, true));
    REQUIRE(back.size() == 3);
    CHECK(back[0].index == 4);
    CHECK(back[0].name == results[0].name);
    CHECK(*back[0].stats == *results[0].stats);
    CHECK(back[0].predicted_seconds == results[0].predicted_seconds);
    CHECK(*back[0].measured_seconds == *results[0].measured_seconds);
    CHECK(back[0].simulation_seconds == 0.125);
    CHECK(back[0].ok());
    CHECK(back[1].error_kind == ErrorKind::simulation_fault);
    CHECK(back[1].error == results[1].error);
    CHECK_FALSE(back[1].stats);
    CHECK(std::isnan(back[1].predicted_seconds));
    CHECK(back[2].cache_hit);

    const auto message = encode_results(results, false);
    CHECK_THROWS_AS(decode_results(message.substr(0, message.size() - 3)), Error);
    CHECK_THROWS_AS(decode_results(message + "1:x"), Error);
    CHECK_THROWS_AS(decode_results("not a message"), Error);
    CHECK_THROWS_AS(decode_results(""), Error);
}

TEST_CASE("a received binary is runnable on the root, from its own path or from a private copy") {
    const auto dir = scratch_dir("binaries");
    BuildOptions build;
    build.cache_dir = dir / "cache";
    CandidateResult r;
    r.name = "work";
    r.binary = build_kernel(loop_candidates(1)[0].source, loop_candidates(1)[0].buffers, host_x86_64(), build);
    const auto message = encode_results(std::span(&r, 1), true);

    // Same machine (or a shared cache): the file at the sent path holds the bytes and is used.
    auto same = decode_results(message, dir / "received");
    REQUIRE(same[0].binary);
    CHECK(same[0].binary->path() == r.binary->path());
    CHECK_FALSE(fs::exists(dir / "received"));

    // Another machine: the path is not there, so the bytes are written and loaded from the copy.
    fs::remove_all(build.cache_dir);
    auto copied = decode_results(message, dir / "received");
    REQUIRE(copied[0].binary);
    CHECK(copied[0].binary->content_hash() == r.binary->content_hash());
    CHECK(copied[0].binary->path().parent_path() == dir / "received");
    NativeTimingOptions quick;
    quick.passes = 1;
    quick.ms_per_measurement = 2;
    CHECK(NativeRunner(quick).measure(*copied[0].binary).seconds > 0);
}

TEST_CASE("run_sharded over three ranks gives the root one process's results, failures included") {
    const auto dir = scratch_dir("sharded");
    auto candidates = loop_candidates(7);
    // Batch position 4 belongs to rank 1 of 3: it faults there and must reach the root as a failure.
    candidates[4] = Candidate::from_source(
        "faulty", "void simtune_kernel(float *x) { ((volatile float *)0)[1] = x[0]; }", candidates[4].buffers);
    PoolOptions pool_options;
    pool_options.workers = 1;
    pool_options.build.cache_dir = dir;
    SimulationPool alone(host_x86_64(), simulator_factory("unicorn"), pool_options);
    const auto expected = alone.run(candidates);

    ThreadGroup group(3);
    std::vector<std::vector<CandidateResult>> got(3);
    std::vector<std::size_t> simulated_here(3);
    group.run([&](Collective& rank) {
        SimulationPool pool(host_x86_64(), simulator_factory("unicorn"), pool_options);
        got[rank.rank()] = run_sharded(pool, candidates, &rank, [&](CandidateResult& r) {
            CHECK(Shard{rank.rank(), 3}.owns(r.index));
            ++simulated_here[rank.rank()];
        });
    });
    CHECK(simulated_here == std::vector<std::size_t>{3, 2, 2});
    CHECK(got[1].empty());
    CHECK(got[2].empty());
    REQUIRE(got[0].size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(got[0][i].index == i);
        CHECK(got[0][i].name == expected[i].name);
        CHECK(got[0][i].ok() == expected[i].ok());
        CHECK(got[0][i].stats == expected[i].stats);
        CHECK(got[0][i].error_kind == expected[i].error_kind);
    }
    CHECK(got[0][4].error_kind == ErrorKind::simulation_fault);
}

TEST_CASE("a distributed dataset equals the single-process one, and ranks must agree on the inputs") {
    const auto dir = scratch_dir("dataset");
    const std::vector<Workload> workloads{workload_by_name("gemm-128x128x128")};
    DatasetOptions options;
    options.variants_per_workload = 5;
    options.workers = 1;
    options.chunk = 3; // two chunks: the ranks meet between them
    options.build_cache = dir / "cache";
    {
        std::ofstream times(dir / "times.csv");
        times << "key,seconds\n";
        for (const auto& v : enumerate_variants(workloads[0], 5, 1)) times << v.key() << ",0.00125\n";
    }
    options.times_csv = dir / "times.csv";
    const auto alone = build_dataset(workloads, host_x86_64(), options, dir / "alone.csv");
    REQUIRE(alone.rows.size() == 5);

    // Interrupted after the first chunk: the root's file says what is left, for both ranks.
    {
        std::ifstream in(dir / "alone.csv");
        std::ofstream out(dir / "two.csv");
        std::string line;
        for (int n = 0; n < 4 && std::getline(in, line); ++n) out << line << '\n';
    }
    ThreadGroup group(2);
    std::vector<Dataset> got(2);
    group.run([&](Collective& rank) {
        DatasetOptions mine = options;
        mine.collective = &rank;
        got[rank.rank()] = build_dataset(workloads, host_x86_64(), mine, dir / "two.csv");
    });
    CHECK(got[1].rows.empty());
    REQUIRE(got[0].rows.size() == alone.rows.size());
    for (std::size_t i = 0; i < alone.rows.size(); ++i) {
        CHECK(got[0].rows[i].key() == alone.rows[i].key());
        CHECK(got[0].rows[i].stats == alone.rows[i].stats);
        CHECK(got[0].rows[i].seconds == alone.rows[i].seconds);
    }

    // Rank 1 asked for other variants: it refuses rather than merge mismatched work.
    ThreadGroup mismatched(2);
    CHECK_THROWS_WITH_AS(mismatched.run([&](Collective& rank) {
        DatasetOptions mine = options;
        mine.collective = &rank;
        if (rank.rank() == 1) mine.seed = 2;
        build_dataset(workloads, host_x86_64(), mine, dir / "three.csv");
    }),
                         doctest::Contains("rank 1 was given other dataset inputs"), Error);
}

TEST_CASE("a distributed Tuner ranks like one process; the root alone confirms natively") {
    const auto dir = scratch_dir("tuner");
    auto candidates = loop_candidates(6);
    // Batch position 1 belongs to rank 1 of 2 and faults there.
    candidates[1] = Candidate::from_source(
        "faulty", "void simtune_kernel(float *x) { ((volatile float *)0)[1] = x[0]; }", candidates[1].buffers);
    const Scorer by_instructions = [](const Stats& s) { return static_cast<double>(s.instructions) * 1e-9; };
    TunerOptions options;
    options.pool.workers = 1;
    options.pool.build.cache_dir = dir;
    const auto alone = Tuner(host_x86_64(), simulator_factory("unicorn"), by_instructions, options).rank(candidates);

    ThreadGroup group(2);
    std::vector<std::vector<CandidateResult>> got(2);
    group.run([&](Collective& rank) {
        TunerOptions mine = options;
        mine.collective = &rank;
        mine.confirm_top = 2;
        mine.native.passes = 1;
        mine.native.ms_per_measurement = 2;
        got[rank.rank()] = Tuner(host_x86_64(), simulator_factory("unicorn"), by_instructions, mine).rank(candidates);
    });
    CHECK(got[1].empty());
    REQUIRE(got[0].size() == alone.size());
    // The confirmed top two may swap by measured time; the rest is in the same order.
    CHECK(std::set{got[0][0].name, got[0][1].name} == std::set{alone[0].name, alone[1].name});
    for (std::size_t i = 0; i < alone.size(); ++i) {
        CHECK(got[0][i].measured_seconds.has_value() == (i < 2));
        if (i >= 2) CHECK(got[0][i].name == alone[i].name);
        if (i >= 2 && alone[i].ok()) CHECK(got[0][i].predicted_seconds == alone[i].predicted_seconds);
    }
    CHECK(got[0].back().name == "faulty");
    CHECK(got[0].back().error_kind == ErrorKind::simulation_fault);
}
