/* Unicorn 2.0.1's own store path, with no simtune code in between (issue 17, item 4): does any
 * memory layout avoid the slow path every guest store takes? A 4-instruction x86-64 loop over
 * 4 096 words, 200 times, storing each word or only loading it, with code and data in one mapped
 * region, in two regions (code read+exec, data read+write), or with the data region host-backed
 * (uc_mem_map_ptr). No hooks. Prints MIPS, fastest of 5 runs of one engine (translated code kept).
 * Results and the command: benchmarks/RESULTS.md, "Item 4: Unicorn's store path".
 *
 * usage: bench_unicorn_store
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unicorn/unicorn.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* mov rcx,200; outer: xor rax,rax; inner: mov [rbx+rax*8],rax | mov rdx,[rbx+rax*8]; inc rax;
 * cmp rax,4096; jne inner; dec rcx; jne outer; hlt (not executed: the run stops before it) */
static const unsigned char store_loop[] = {0x48, 0xc7, 0xc1, 0xc8, 0x00, 0x00, 0x00, 0x48, 0x31, 0xc0, 0x48,
                                           0x89, 0x04, 0xc3, 0x48, 0xff, 0xc0, 0x48, 0x3d, 0x00, 0x10, 0x00,
                                           0x00, 0x75, 0xf1, 0x48, 0xff, 0xc9, 0x75, 0xe9, 0xf4};
static const unsigned char load_loop[] = {0x48, 0xc7, 0xc1, 0xc8, 0x00, 0x00, 0x00, 0x48, 0x31, 0xc0, 0x48,
                                          0x8b, 0x14, 0xc3, 0x48, 0xff, 0xc0, 0x48, 0x3d, 0x00, 0x10, 0x00,
                                          0x00, 0x75, 0xf1, 0x48, 0xff, 0xc9, 0x75, 0xe9, 0xf4};
enum {
    one_region,
    two_regions,
    host_backed
};

static void check(uc_err e, const char* what) {
    if (e != UC_ERR_OK) {
        fprintf(stderr, "bench_unicorn_store: %s: %s\n", what, uc_strerror(e));
        exit(1);
    }
}

static double mips(const unsigned char* code, size_t size, int layout) {
    static char host_data[1 << 16] __attribute__((aligned(4096)));
    const uint64_t code_at = 0x100000, data_at = layout == one_region ? 0x108000 : 0x400000;
    uc_engine* uc;
    check(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), "uc_open");
    if (layout == one_region) check(uc_mem_map(uc, code_at, 0x20000, UC_PROT_ALL), "map");
    else {
        check(uc_mem_map(uc, code_at, 0x1000, UC_PROT_READ | UC_PROT_EXEC), "map code");
        if (layout == two_regions) check(uc_mem_map(uc, data_at, 0x10000, UC_PROT_READ | UC_PROT_WRITE), "map data");
        else check(uc_mem_map_ptr(uc, data_at, 0x10000, UC_PROT_READ | UC_PROT_WRITE, host_data), "map data");
    }
    check(uc_mem_write(uc, code_at, code, size), "write code");
    double best = 1e30;
    for (int run = 0; run < 5; ++run) {
        uint64_t data = data_at;
        check(uc_reg_write(uc, UC_X86_REG_RBX, &data), "rbx");
        const double start = now();
        check(uc_emu_start(uc, code_at, code_at + size - 1, 0, 0), "run");
        const double seconds = now() - start;
        if (seconds < best) best = seconds;
    }
    uc_close(uc);
    return 4096.0 * 200 * 4 / best / 1e6;
}

int main(void) {
    static const char* names[] = {"code and data in one region", "two regions (code r-x, data rw-)",
                                  "data host-backed (uc_mem_map_ptr)"};
    unsigned major, minor;
    uc_version(&major, &minor);
    printf("Unicorn %u.%u, x86-64, no hooks: MIPS, fastest of 5 runs\n\n", major, minor);
    printf("| layout | storing loop | loading loop | ratio |\n|---|---:|---:|---:|\n");
    for (int layout = one_region; layout <= host_backed; ++layout) {
        const double s = mips(store_loop, sizeof store_loop, layout), l = mips(load_loop, sizeof load_loop, layout);
        printf("| %s | %.0f | %.0f | %.0fx |\n", names[layout], s, l, l / s);
    }
    return 0;
}
