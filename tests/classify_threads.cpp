// Classifiers first used by several threads at once decode what one thread alone decodes.
//
// Why a process per trial: capstone 4.0.2 sorts a global table on its first x86 decode with detail
// (X86_insn_reg_intel: memcpy and qsort of insn_regs_intel_sorted, unsynchronised; capstone issue
// #1647). Only the first decodes of a process can race, so each trial is a fresh child (fork of a
// parent that never decoded): four threads each build a Classifier and decode the same blocks at
// once; the child then decodes them again alone and exits 1 if any thread saw other registers.
// Without the guard in Classifier, 2 % of such children saw an `add eax, imm` without eax.
//   classify_threads [TRIALS]   (default 300); prints "classify threads: all N trials agree"
#include <sys/wait.h>
#include <unistd.h>

#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "simtune/isa/classify.hpp"

namespace {

using simtune::Classifier;
using simtune::InsnRegisters;
using simtune::Isa;

// x86-64 instructions whose first register capstone takes from the sorted table (the accumulator
// forms) between ordinary ones: add eax,1; add rax,1; test al,1; cmp eax,1; sub eax,1; and eax,1;
// or eax,1; xor eax,1; sub rax,1; imul ecx,eax; ret.
constexpr unsigned char x86_code[] = {0x05, 1,    0,    0, 0, 0x48, 0x05, 1,    0, 0, 0, 0xa8, 1,    0x3d, 1,    0,
                                      0,    0,    0x2d, 1, 0, 0,    0,    0x25, 1, 0, 0, 0,    0x0d, 1,    0,    0,
                                      0,    0x35, 1,    0, 0, 0,    0x48, 0x2d, 1, 0, 0, 0,    0x0f, 0xaf, 0xc8, 0xc3};
// AArch64: add x0,x0,#1; ldr x1,[x0]; mul x2,x1,x0; ret.
constexpr unsigned char a64_code[] = {0x00, 0x04, 0x00, 0x91, 0x01, 0x00, 0x40, 0xf9,
                                      0x22, 0x7c, 0x00, 0x9b, 0xc0, 0x03, 0x5f, 0xd6};

std::vector<InsnRegisters> decode(Isa isa) {
    const Classifier classifier(isa);
    const auto* bytes = reinterpret_cast<const std::byte*>(isa == Isa::x86_64 ? x86_code : a64_code);
    const std::size_t size = isa == Isa::x86_64 ? sizeof x86_code : sizeof a64_code;
    std::vector<InsnRegisters> all;
    for (std::size_t offset = 0; offset < size;) {
        const auto block = classifier.decode_block(std::span(bytes + offset, size - offset), 0x1000 + offset, SIZE_MAX,
                                                   /*with_registers=*/true);
        all.insert(all.end(), block.registers->begin(), block.registers->end());
        offset = block.end - 0x1000;
    }
    return all;
}

bool same(const std::vector<InsnRegisters>& a, const std::vector<InsnRegisters>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].address != b[i].address || a[i].read_count != b[i].read_count ||
            a[i].write_count != b[i].write_count || a[i].reads != b[i].reads || a[i].writes != b[i].writes)
            return false;
    return true;
}

int trial() {
    constexpr int threads = 4;
    std::barrier start(threads);
    std::vector<std::vector<InsnRegisters>> seen(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            start.arrive_and_wait();
            seen[t] = decode(t % 2 == 0 ? Isa::x86_64 : Isa::aarch64);
            if (t < 2) seen[t] = decode(t % 2 == 0 ? Isa::x86_64 : Isa::aarch64);
        });
    for (auto& th : pool) th.join();
    const auto x86 = decode(Isa::x86_64), a64 = decode(Isa::aarch64);
    for (int t = 0; t < threads; ++t)
        if (!same(seen[t], t % 2 == 0 ? x86 : a64)) return 1;
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const int trials = argc > 1 ? std::atoi(argv[1]) : 300;
    int disagreeing = 0;
    for (int i = 0; i < trials; ++i) {
        std::fflush(stdout);
        const pid_t child = fork();
        if (child < 0) {
            std::perror("fork");
            return 2;
        }
        if (child == 0) _exit(trial());
        int status = 0;
        if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) {
            std::printf("trial %d: the child did not exit normally (status %d)\n", i, status);
            return 1;
        }
        disagreeing += WEXITSTATUS(status) != 0;
    }
    if (disagreeing != 0) {
        std::printf("classify threads: %d of %d trials decoded other registers in a thread\n", disagreeing, trials);
        return 1;
    }
    std::printf("classify threads: all %d trials agree\n", trials);
    return 0;
}
