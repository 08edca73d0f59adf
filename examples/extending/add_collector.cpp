// Adding a collector: a type modelling StatsCollector (concepts.hpp), added to a CollectorSet and
// run with Unicorn. This one counts the distinct 64-byte cache lines a kernel touches: its footprint.
#include <unordered_set>

#include <simtune/simtune.hpp>

using namespace simtune;

struct LineFootprint {
    // CollectorSet::add takes the collector by value: keep results where the caller can read them.
    std::shared_ptr<std::unordered_set<std::uint64_t>> lines = std::make_shared<std::unordered_set<std::uint64_t>>();

    [[nodiscard]] EventKind events() const { return EventKind::memory; } // data accesses only
    void on_block(const DecodedBlock&) {}
    void on_memory(const MemoryAccess& a) {
        for (std::uint64_t line = a.address / 64; line <= (a.address + a.size - 1) / 64; ++line) lines->insert(line);
    }
    void contribute(Stats&) const {} // no Stats field of its own (a built-in collector gets one)
    void reset() { lines->clear(); } // the simulator resets every collector before a run
};
static_assert(StatsCollector<LineFootprint>);

int main() try {
    const Target target = host_x86_64();
    const KernelBinary add = build_kernel(R"(
        void simtune_kernel(const float* a, const float* b, float* c) {
            for (int i = 0; i < 4096; ++i) c[i] = a[i] + b[i];
        })",
                                          parse_buffer_spec("a:f32:4096:in;b:f32:4096:in;c:f32:4096:out"), target);
    LineFootprint footprint;
    CollectorSet collectors; // built-in collectors may run beside it: collectors.add_memory() ...
    collectors.add(footprint);
    const SimulationResult run = UnicornSimulator().run(add, target, collectors);
    fmt::print("{} instructions touched {} cache lines\n", run.stats.instructions, footprint.lines->size());
    // 768 lines are the three 16 KiB buffers; the one more is the stack slot `ret` reads.
    return footprint.lines->size() >= 3 * 4096 * 4 / 64 ? 0 : 1;
} catch (const Error& e) {
    fmt::print(stderr, "add_collector: {}\n", e.what());
    return 1;
}
