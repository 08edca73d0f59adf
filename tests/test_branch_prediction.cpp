// Mispredicted branches (Stats::branch_mispredicts): the predictor on hand-made outcome sequences,
// then on two kernels with the same code, one branch on a coin flip and one that always goes the
// same way, in both simulators and on every target.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"
#include "kernels/test_kernels.hpp"
#include "simtune/collectors/branches.hpp"
#include "simtune/collectors/collector_set.hpp"
#include "simtune/predictors/features.hpp"
#include "simtune/simulators/qemu.hpp"
#include "simtune/simulators/unicorn.hpp"

using namespace simtune;
namespace tk = simtune::test_kernels;

namespace {

/// A block [address, end) that ends in a conditional branch.
/// A block of one conditional branch (a loop's back edge or a test).
DecodedBlock branch_block(std::uint64_t address, std::uint64_t end) {
    return testing::decoded_block(address, end, 0, 0, true, true);
}

/// Runs the conditional branch at the end of [0x100, 0x110) `outcomes.size()` times with the given
/// outcomes (taken: to 0x100 again; not taken: through 0x110, then a jump back), and returns the
/// counter's mispredictions.
template <class Outcome>
std::uint64_t mispredicts_of(std::size_t n, Outcome taken) {
    BranchCounter counter;
    const DecodedBlock loop = branch_block(0x100, 0x110);
    DecodedBlock jump_back = branch_block(0x110, 0x114);
    jump_back.branch_is_conditional = false;
    for (std::size_t i = 0; i < n; ++i) {
        counter.on_block(loop);
        if (!taken(i)) counter.on_block(jump_back);
    }
    counter.on_block(branch_block(0x200, 0x210)); // resolves the last one
    return counter.mispredicts();
}

} // namespace

TEST_CASE("the predictor learns biased branches and short loops, and cannot learn a coin flip") {
    SUBCASE("a branch that always goes one way is mispredicted only while the history fills") {
        // Each of the first history_bits outcomes meets a new history, so a new (cold, weakly not
        // taken) counter; then the history stays all ones.
        CHECK(mispredicts_of(1000, [](std::size_t) { return true; }) <= BranchPredictor::history_bits + 1);
        CHECK(mispredicts_of(1000, [](std::size_t) { return false; }) == 0);
    }
    SUBCASE("a loop of 8 iterations run 200 times: the history learns where it exits") {
        const auto m = mispredicts_of(1600, [](std::size_t i) { return i % 8 != 7; });
        CHECK(m < 1600 / 8 / 4); // far fewer than one per exit once learned
    }
    SUBCASE("a loop of 64, longer than the history, run 100 times: the loop predictor learns its exit") {
        // gshare alone would miss each of the 100 exits; the loop entry is confident after three.
        const auto m = mispredicts_of(64 * 100, [](std::size_t i) { return i % 64 != 63; });
        CHECK(m <= 3 + 2 * BranchPredictor::history_bits);
    }
    SUBCASE("a loop whose trip count changes every time is mispredicted at about every exit") {
        std::uint32_t state = 7;
        std::vector<bool> outcomes;
        for (int loop = 0; loop < 100; ++loop) {
            state = state * 1664525u + 1013904223u;
            const std::uint32_t trip = 40 + (state >> 27); // 40..71
            for (std::uint32_t i = 0; i < trip; ++i) outcomes.push_back(i + 1 < trip);
        }
        const auto m = mispredicts_of(outcomes.size(), [&](std::size_t i) { return outcomes[i]; });
        CHECK(m >= 85);
        CHECK(m <= 100 + 2 * BranchPredictor::history_bits + 2);
    }
    SUBCASE("pseudo-random outcomes are mispredicted about half the time") {
        std::uint32_t state = 12345;
        const auto m = mispredicts_of(4000, [&](std::size_t) {
            state = state * 1664525u + 1013904223u;
            return (state >> 31) != 0;
        });
        CHECK(m > 4000 * 35 / 100);
        CHECK(m < 4000 * 65 / 100);
    }
    SUBCASE("reset makes the predictor cold again: the same sequence, the same count") {
        BranchCounter counter;
        const DecodedBlock loop = branch_block(0x100, 0x110);
        auto run = [&] {
            for (int i = 0; i < 3; ++i) counter.on_block(loop);
            counter.on_block(branch_block(0x300, 0x310));
            return counter.mispredicts();
        };
        const auto first = run();
        counter.reset();
        CHECK(counter.mispredicts() == 0);
        CHECK(run() == first);
        CHECK(first >= 1); // a cold counter predicts not taken
    }
}

TEST_CASE("a branch on a coin flip is mispredicted, the same branch always taken is not; both simulators agree") {
    constexpr std::uint64_t elements = 4096;
    for (const auto& target : {host_x86_64(), cortex_a72(), sifive_u74()}) {
        CAPTURE(target.name);
        UnicornSimulator unicorn;
        auto run = [&](const tk::TestKernel& kernel, bool qemu) {
            auto collectors = CollectorSet::all(target);
            const auto binary = tk::build(kernel, target);
            return qemu ? QemuSimulator{}.run(binary, target, collectors).stats
                        : unicorn.run(binary, target, collectors).stats;
        };
        const Stats half = run(tk::compact_half, false), all = run(tk::compact_all, false);
        INFO(fmt::format("coin flip: {}\nalways: {}", half, all));
        // About half of 4096 outcomes cannot be predicted.
        CHECK(half.branch_mispredicts > elements * 35 / 100);
        CHECK(half.branch_mispredicts < elements * 65 / 100);
        // The loop's back edge and the always-taken test: a handful while the counters warm up.
        CHECK(all.branch_mispredicts < 40);
        CHECK(run(tk::compact_half, true).branch_mispredicts == half.branch_mispredicts);
        CHECK(run(tk::compact_all, true).branch_mispredicts == all.branch_mispredicts);
    }
}

TEST_CASE("the cycle estimate charges mispredicted branches") {
    const std::vector<std::string> names{"instructions", "branch_mispredicts"};
    CHECK(cycle_estimate(names) == "0.5*instructions+15*branch_mispredicts");
}
