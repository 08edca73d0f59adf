// Speed of the per-access and per-translation work shared by both simulators:
//  - CacheModel accesses/s on sequential, strided and random streams with this host's geometry
//    (the Unicorn simulator's 75 MIPS goal with mix + memory + caches leaves well under ~5 ns per
//    access for the cache model), and the same streams through a full CollectorSet;
//  - Classifier::decode_block blocks/s on a real compiled function per ISA.
// Results and the command that produced them: benchmarks/RESULTS.md, "Cache model and classifier".
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "simtune/collectors/collector_set.hpp"
#include "simtune/isa/classify.hpp"
#include "simtune/target.hpp"

using namespace simtune;

namespace {

constexpr std::size_t stream_length = 1 << 20;
constexpr std::uint64_t base = 0x7f0000000000;

std::vector<MemoryAccess> sequential(std::uint32_t width) {
    std::vector<MemoryAccess> s(stream_length);
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = {base + i * width, width, i % 4 == 3};
    return s;
}
std::vector<MemoryAccess> strided(std::uint64_t stride, std::uint64_t span_bytes) {
    std::vector<MemoryAccess> s(stream_length);
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = {base + (i * stride) % span_bytes, 4, false};
    return s;
}
std::vector<MemoryAccess> random_in(std::uint64_t span_bytes) {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<std::uint64_t> pick(0, span_bytes / 8 - 1);
    std::vector<MemoryAccess> s(stream_length);
    for (auto& a : s) a = {base + pick(rng) * 8, 8, false};
    return s;
}

/// The named streams, by benchmark argument.
const std::vector<MemoryAccess>& stream(int which) {
    static const std::vector<std::vector<MemoryAccess>> streams{
        sequential(4),               // 0: 4-byte sequential (1 of 16 misses L1)
        strided(64, 64ull << 20),    // 1: line stride over 64 MiB (every access misses L1)
        strided(4096, 4096ull * 64), // 2: 4 KiB stride, 64 lines: L1 set thrash, L2 hits
        random_in(16 << 10),         // 3: random within 16 KiB (L1 hits off the MRU way)
        random_in(256ull << 20),     // 4: random within 256 MiB (misses everywhere)
    };
    return streams.at(static_cast<std::size_t>(which));
}
const char* stream_name(int which) {
    constexpr const char* names[] = {"sequential4B", "stride64B_64MiB", "stride4KiB_thrash", "random_16KiB",
                                     "random_256MiB"};
    return names[which];
}

void BM_CacheModel(benchmark::State& state) {
    const auto& accesses = stream(static_cast<int>(state.range(0)));
    CacheModel model(host_x86_64().caches);
    for (auto _ : state) {
        for (const MemoryAccess& a : accesses) model.on_memory(a);
        benchmark::ClobberMemory();
    }
    Stats s;
    model.contribute(s);
    state.SetLabel(stream_name(static_cast<int>(state.range(0))));
    state.counters["l1_miss_rate"] = double(s.l1d_misses) / double(s.l1d_accesses);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * accesses.size()));
}
BENCHMARK(BM_CacheModel)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);

/// The same streams through access_batch, 4 096 accesses at a time: the QEMU plugin's exact path
/// (it buffers its memory callbacks and drains them in batches of up to 4 096).
void BM_CacheModelBatch(benchmark::State& state) {
    const auto& accesses = stream(static_cast<int>(state.range(0)));
    CacheModel model(host_x86_64().caches);
    constexpr std::size_t batch = 4096;
    for (auto _ : state) {
        for (std::size_t at = 0; at < accesses.size(); at += batch)
            model.access_batch(std::min(batch, accesses.size() - at),
                               [&](std::size_t i) -> const MemoryAccess& { return accesses[at + i]; });
        benchmark::ClobberMemory();
    }
    state.SetLabel(stream_name(static_cast<int>(state.range(0))));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * accesses.size()));
}
BENCHMARK(BM_CacheModelBatch)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);

/// The Unicorn simulator's memory hook work with mix + memory + caches: CollectorSet::on_memory.
void BM_CollectorSetMemory(benchmark::State& state) {
    const auto& accesses = stream(static_cast<int>(state.range(0)));
    CollectorSet set;
    set.add_mix().add_memory().add_caches(host_x86_64().caches);
    for (auto _ : state) {
        for (const MemoryAccess& a : accesses) set.on_memory(a);
        benchmark::ClobberMemory();
    }
    state.SetLabel(stream_name(static_cast<int>(state.range(0))));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * accesses.size()));
}
BENCHMARK(BM_CollectorSetMemory)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);

// The gemm() function of a naive float GEMM, gcc 12.2 -O2 -static (x86-64: -march=x86-64-v2;
// RISC-V: -march=rv64gc), bytes taken from the cross objdump of the linked executables.
// x86_64, 143 bytes
constexpr std::uint8_t gemm_x86_64[] = {
    0x85, 0xff, 0x0f, 0x8e, 0x82, 0x00, 0x00, 0x00, 0x41, 0x54, 0x49, 0x89, 0xca, 0x49, 0x89, 0xf1, 0x41, 0x89,
    0xfb, 0x55, 0x45, 0x31, 0xe4, 0x48, 0x89, 0xd5, 0x53, 0x48, 0x63, 0xdf, 0x48, 0x8d, 0x0c, 0x9d, 0x00, 0x00,
    0x00, 0x48, 0x8d, 0x34, 0x0e, 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0x49, 0x89, 0xe8, 0x31, 0xff, 0x0f, 0x1f,
    0x00, 0x4c, 0x89, 0xc2, 0x4c, 0x89, 0xc8, 0x66, 0x0f, 0xef, 0xc9, 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00, 0xf3,
    0x0f, 0x10, 0x00, 0xf3, 0x0f, 0x59, 0x02, 0x48, 0x83, 0xc0, 0x04, 0x48, 0x01, 0xca, 0xf3, 0x0f, 0x58, 0xc8,
    0x48, 0x39, 0xf0, 0x75, 0xe8, 0xf3, 0x41, 0x0f, 0x11, 0x0c, 0xba, 0x48, 0x83, 0xc7, 0x01, 0x49, 0x83, 0xc0,
    0x04, 0x48, 0x39, 0xfb, 0x75, 0xc5, 0x41, 0x83, 0xc4, 0x01, 0x49, 0x01, 0xca, 0x49, 0x01, 0xc9, 0x48, 0x01,
    0xce, 0x45, 0x39, 0xe3, 0x75, 0xab, 0x5b, 0x5d, 0x41, 0x5c, 0xc3, 0xc3, 0x0f, 0x1f, 0x44, 0x00, 0x00,
};
// aarch64, 144 bytes
constexpr std::uint8_t gemm_aarch64[] = {
    0xea, 0x03, 0x00, 0x2a, 0xeb, 0x03, 0x02, 0xaa, 0x1f, 0x00, 0x00, 0x71, 0xcd, 0x03, 0x00, 0x54, 0x02, 0x7c,
    0x7e, 0x93, 0xe7, 0x03, 0x03, 0xaa, 0xe6, 0x03, 0x01, 0xaa, 0x23, 0x00, 0x02, 0x8b, 0x08, 0x7c, 0x40, 0x93,
    0x09, 0x00, 0x80, 0x52, 0xe5, 0x03, 0x0b, 0xaa, 0x04, 0x00, 0x80, 0xd2, 0x00, 0x04, 0x00, 0x0f, 0xe1, 0x03,
    0x05, 0xaa, 0xe0, 0x03, 0x06, 0xaa, 0x1f, 0x20, 0x03, 0xd5, 0x21, 0x00, 0x40, 0xbd, 0x21, 0x00, 0x02, 0x8b,
    0x02, 0x44, 0x40, 0xbc, 0x40, 0x00, 0x01, 0x1f, 0x1f, 0x00, 0x03, 0xeb, 0x61, 0xff, 0xff, 0x54, 0xe0, 0x78,
    0x24, 0xbc, 0x84, 0x04, 0x00, 0x91, 0xa5, 0x10, 0x00, 0x91, 0x1f, 0x01, 0x04, 0xeb, 0x41, 0xfe, 0xff, 0x54,
    0x29, 0x05, 0x00, 0x11, 0xe7, 0x00, 0x02, 0x8b, 0xc6, 0x00, 0x02, 0x8b, 0x63, 0x00, 0x02, 0x8b, 0x5f, 0x01,
    0x09, 0x6b, 0x41, 0xfd, 0xff, 0x54, 0xc0, 0x03, 0x5f, 0xd6, 0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03, 0xd5,
};
// riscv64, 96 bytes
constexpr std::uint8_t gemm_riscv64[] = {
    0x2a, 0x83, 0x32, 0x8f, 0x36, 0x8e, 0x63, 0x5c, 0xa0, 0x04, 0x93, 0x16, 0x25, 0x00, 0xae, 0x88,
    0x33, 0x86, 0xd5, 0x00, 0x81, 0x4e, 0xfa, 0x85, 0x72, 0x85, 0x01, 0x48, 0xd3, 0x07, 0x00, 0xf0,
    0x2e, 0x87, 0xc6, 0x87, 0x87, 0xa6, 0x07, 0x00, 0x07, 0x27, 0x07, 0x00, 0x91, 0x07, 0x36, 0x97,
    0xc3, 0xf7, 0xe6, 0x78, 0xe3, 0x18, 0xf6, 0xfe, 0x27, 0x20, 0xf5, 0x00, 0x9b, 0x07, 0x18, 0x00,
    0x11, 0x05, 0x91, 0x05, 0x63, 0x04, 0xf3, 0x00, 0x3e, 0x88, 0xc9, 0xbf, 0x9b, 0x87, 0x1e, 0x00,
    0xb6, 0x98, 0x36, 0x96, 0x36, 0x9e, 0x63, 0x04, 0xd8, 0x01, 0xbe, 0x8e, 0x6d, 0xbf, 0x82, 0x80,
};

/// Decodes the function block by block (each block runs to its first branch), like a simulator
/// translating it for the first time.
void BM_DecodeBlock(benchmark::State& state, Isa isa, std::span<const std::uint8_t> code) {
    const Classifier classifier(isa);
    const auto bytes = std::as_bytes(code);
    std::int64_t blocks = 0, instructions = 0;
    for (auto _ : state) {
        for (std::size_t offset = 0; offset < bytes.size();) {
            const DecodedBlock b = classifier.decode_block(bytes.subspan(offset), 0x10000 + offset);
            benchmark::DoNotOptimize(b);
            offset += b.end - b.address;
            ++blocks;
            instructions += b.instructions;
        }
    }
    state.SetItemsProcessed(blocks);
    state.counters["insns_per_s"] = benchmark::Counter(double(instructions), benchmark::Counter::kIsRate);
}
BENCHMARK_CAPTURE(BM_DecodeBlock, x86_64, Isa::x86_64, gemm_x86_64);
BENCHMARK_CAPTURE(BM_DecodeBlock, aarch64, Isa::aarch64, gemm_aarch64);
BENCHMARK_CAPTURE(BM_DecodeBlock, riscv64, Isa::riscv64, gemm_riscv64);

} // namespace

BENCHMARK_MAIN();
