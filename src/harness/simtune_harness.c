/* simtune's harness: linked into every kernel binary, for every target.
 *
 * It owns main(): allocates the kernel's buffers (described by the generated string
 * simtune_buffer_spec, "name:type:count:role;..."), fills them deterministically, and calls the
 * kernel through the generated simtune_call_kernel() between the region-of-interest markers
 * simtune_roi_begin() / simtune_roi_end(), so simulators count only the kernel.
 *
 *   kernel                       one call inside the ROI, then a checksum line per buffer
 *   kernel --dump FILE           ... and write every buffer's final bytes, in order, to FILE
 *   kernel --startup-work N      spin N iterations of busy work before the ROI (tests ROI filtering)
 *   kernel --time [--min-ms M] [--passes P] [--huge-pages]
 *                                native timing: warm-up, then P batches of at least M ms/P each;
 *                                prints "simtune-time: ..." with per-call min and median in ns.
 *                                --huge-pages backs the fixed layout with transparent huge pages
 *                                (one 2 MiB-aligned mapping, madvise(MADV_HUGEPAGE)) at the SAME
 *                                addresses: the physical placement within 2 MiB then follows the
 *                                virtual one, so caches indexed by physical address see the same
 *                                conflicts in every process (see native_layout below).
 *
 * Every address the kernel sees is a pure function of the binary: the buffers live at fixed
 * addresses (SIMTUNE_BUFFER_BASE) and the region of interest runs on a stack of its own at a fixed
 * address. Heap and initial-stack addresses depend on things outside the binary (its path, which
 * static glibc reads from /proc/self/exe and allocates by, the environment, the auxiliary vector),
 * and simulated caches see every address, so two runs of one binary must not differ there.
 *
 * The buffer initialisation must stay bit-identical to simtune::initialise_buffer (src/kernel.cpp):
 * Unicorn runs the kernel without this harness and fills the buffers itself.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>

extern const char simtune_buffer_spec[];
extern void simtune_call_kernel(void** buffers);

#define SIMTUNE_MAX_BUFFERS 16

/* The markers have different bodies so the compiler cannot fold them into one function. */
volatile int simtune_roi_state;
__attribute__((noinline, used)) void simtune_roi_begin(void) {
    simtune_roi_state = 1;
    __asm__ volatile("" ::: "memory");
}
__attribute__((noinline, used)) void simtune_roi_end(void) {
    __asm__ volatile("" ::: "memory");
    simtune_roi_state = 2;
}

enum {
    F32,
    F64,
    I32,
    I8
};
enum {
    ROLE_IN,
    ROLE_OUT,
    ROLE_INOUT
};

struct buffer {
    char name[64];
    int type, role;
    uint64_t count;
    void* data;
};

static size_t elem_size(int type) { return type == F64 ? 8 : type == I8 ? 1 : 4; }

static void die(const char* what) {
    fprintf(stderr, "simtune harness: %s\n", what);
    exit(2);
}

static int parse_spec(struct buffer* b) {
    const char* p = simtune_buffer_spec;
    int n = 0;
    while (*p) {
        if (n == SIMTUNE_MAX_BUFFERS) die("too many buffers in simtune_buffer_spec");
        char type[8] = {0}, role[8] = {0};
        unsigned long long count = 0;
        int used = 0;
        if (sscanf(p, "%63[^:]:%7[^:]:%llu:%7[^;]%n", b[n].name, type, &count, role, &used) != 4)
            die("malformed simtune_buffer_spec");
        b[n].count = count;
        b[n].type = !strcmp(type, "f32")   ? F32
                    : !strcmp(type, "f64") ? F64
                    : !strcmp(type, "i32") ? I32
                    : !strcmp(type, "i8")  ? I8
                                           : -1;
        b[n].role = !strcmp(role, "in")      ? ROLE_IN
                    : !strcmp(role, "out")   ? ROLE_OUT
                    : !strcmp(role, "inout") ? ROLE_INOUT
                                             : -1;
        if (b[n].type < 0 || b[n].role < 0 || count == 0) die("bad buffer in simtune_buffer_spec");
        p += used;
        if (*p == ';') ++p;
        ++n;
    }
    return n;
}

/* A 32-bit integer hash of (buffer index, element index); its top 24 bits make the value. */
static uint32_t element_hash(uint32_t buffer, uint64_t i) {
    uint32_t h = (uint32_t)i * 0x9E3779B1u ^ (uint32_t)(i >> 32) ^ (buffer * 0x85EBCA77u + 0x165667B1u);
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return h >> 8;
}

static void initialise(struct buffer* b, uint32_t index) {
    if (b->role == ROLE_OUT) {
        memset(b->data, 0, b->count * elem_size(b->type));
        return;
    }
    for (uint64_t i = 0; i < b->count; ++i) {
        uint32_t k = element_hash(index, i);
        switch (b->type) {
            case F32: ((float*)b->data)[i] = (float)k / 8388608.0f - 1.0f; break;
            case F64: ((double*)b->data)[i] = (double)k / 8388608.0 - 1.0; break;
            case I32: ((int32_t*)b->data)[i] = (int32_t)(k % 201u) - 100; break;
            case I8: ((int8_t*)b->data)[i] = (int8_t)((int32_t)(k % 255u) - 127); break;
        }
    }
}

static double checksum(const struct buffer* b) {
    double s = 0;
    for (uint64_t i = 0; i < b->count; ++i) {
        switch (b->type) {
            case F32: s += ((const float*)b->data)[i]; break;
            case F64: s += ((const double*)b->data)[i]; break;
            case I32: s += ((const int32_t*)b->data)[i]; break;
            case I8: s += ((const int8_t*)b->data)[i]; break;
        }
    }
    return s;
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

/* The fixed guest layout: a stack for the region of interest, then the buffers, each aligned to
 * 64 KiB (any page size) with a gap after it. Below 2^38, so that it fits every 64-bit user address
 * space QEMU and Linux offer (RISC-V Sv39 included), and far above static binaries' images and
 * their brk heap. */
#define SIMTUNE_LAYOUT_BASE 0x2000000000ull
#define SIMTUNE_LAYOUT_ALIGN 0x10000ull
#define SIMTUNE_ROI_STACK_BYTES (8ull << 20)

#define SIMTUNE_HUGE_PAGE 0x200000ull

static uint64_t layout_next = SIMTUNE_LAYOUT_BASE;
/* With --huge-pages: the end of the one mapping that already backs the layout. */
static uint64_t layout_premapped_end = SIMTUNE_LAYOUT_BASE;

static uint64_t layout_size(uint64_t bytes) {
    uint64_t size = (bytes + SIMTUNE_LAYOUT_ALIGN - 1) / SIMTUNE_LAYOUT_ALIGN * SIMTUNE_LAYOUT_ALIGN;
    return size == 0 ? SIMTUNE_LAYOUT_ALIGN : size;
}

/* Native timing only (never under a simulator, whose statistics must not depend on it): maps the
 * whole fixed layout — `bytes`, as map_fixed will lay it out — as one mapping rounded up to 2 MiB
 * and asks for transparent huge pages, before anything touches it. map_fixed then hands out the
 * same addresses as without it. With 4 KiB pages each process gets other physical pages, so the
 * kernel's buffers conflict differently in the physically indexed L2 and last-level caches from
 * one process to the next; benchmarks/RESULTS.md has what this changes. A kernel that refuses
 * huge pages (THP "never", no memory) still runs, on small pages. */
static void native_layout(uint64_t bytes) {
    uint64_t size = (bytes + SIMTUNE_HUGE_PAGE - 1) / SIMTUNE_HUGE_PAGE * SIMTUNE_HUGE_PAGE;
    void* want = (void*)(uintptr_t)SIMTUNE_LAYOUT_BASE;
    void* got = mmap(want, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (got != want) {
        fprintf(stderr, "simtune harness: cannot map the timing layout at %p\n", want);
        exit(2);
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(got, size, MADV_HUGEPAGE);
#endif
    layout_premapped_end = SIMTUNE_LAYOUT_BASE + size;
}

/* Maps `bytes` at the next fixed address; dies if the address is taken (never falls back to an
 * address that would make the statistics depend on the run). */
static void* map_fixed(uint64_t bytes, const char* what) {
    uint64_t size = layout_size(bytes);
    void* want = (void*)(uintptr_t)layout_next;
    if (layout_next + size <= layout_premapped_end) { /* inside native_layout's mapping */
        layout_next += size + SIMTUNE_LAYOUT_ALIGN;
        return want;
    }
    void* got = mmap(want, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (got == MAP_FAILED) {
        fprintf(stderr, "simtune harness: cannot map %s (%llu bytes)\n", what, (unsigned long long)size);
        exit(2);
    }
    if (got != want) {
        fprintf(stderr, "simtune harness: cannot map %s at its fixed address %p (got %p)\n", what, want, got);
        exit(2);
    }
    layout_next += size + SIMTUNE_LAYOUT_ALIGN;
    return got;
}

/* The region of interest, run on its own stack (see the top of this file). Excluded from the
 * counts like main: only the kernel's own instructions are counted. */
static void** roi_args;
__attribute__((noinline, used)) void simtune_roi_run(void) {
    simtune_roi_begin();
    simtune_call_kernel(roi_args);
    simtune_roi_end();
}

static void run_roi_on_fixed_stack(void** args) {
    static ucontext_t caller, roi;
    roi_args = args;
    if (getcontext(&roi) != 0) die("getcontext failed");
    roi.uc_stack.ss_sp = map_fixed(SIMTUNE_ROI_STACK_BYTES, "the region of interest's stack");
    roi.uc_stack.ss_size = SIMTUNE_ROI_STACK_BYTES;
    roi.uc_link = &caller;
    makecontext(&roi, simtune_roi_run, 0);
    if (swapcontext(&caller, &roi) != 0) die("swapcontext failed");
}

/* Busy work outside the ROI whose result the compiler cannot drop. */
static volatile uint64_t simtune_startup_sink;
static void startup_work(unsigned long long n) {
    uint64_t x = 1;
    for (unsigned long long i = 0; i < n; ++i) x = x * 6364136223846793005ull + 1442695040888963407ull;
    simtune_startup_sink = x;
}

/* Native timing: warm up for ~10 % of the budget, choose repetitions so that one batch lasts
 * budget/passes, then time `passes` batches. Reports per-call minimum and median over batches;
 * the minimum is the robust figure on a noisy machine (slowdowns only ever add time). */
static void time_kernel(void** args, double min_ms, int passes) {
    double budget = min_ms * 1e6, start = now_ns();
    long calls = 0;
    do {
        simtune_call_kernel(args);
        ++calls;
    } while (now_ns() - start < budget * 0.1 || calls < 2);
    double per_call = (now_ns() - start) / (double)calls;
    long reps = (long)(budget / passes / per_call);
    if (reps < 1) reps = 1;
    double* batch = malloc(sizeof(double) * (size_t)passes);
    if (!batch) die("out of memory");
    for (int p = 0; p < passes; ++p) {
        double t0 = now_ns();
        for (long r = 0; r < reps; ++r) simtune_call_kernel(args);
        batch[p] = (now_ns() - t0) / (double)reps;
    }
    qsort(batch, (size_t)passes, sizeof(double), compare_double);
    double median = passes % 2 ? batch[passes / 2] : 0.5 * (batch[passes / 2 - 1] + batch[passes / 2]);
    printf("simtune-time: min_ns=%.1f median_ns=%.1f max_ns=%.1f batches=%d reps=%ld warmup_calls=%ld\n", batch[0],
           median, batch[passes - 1], passes, reps, calls);
    free(batch);
}

int main(int argc, char** argv) {
    const char* dump = NULL;
    int timing = 0, huge = 0, passes = 15;
    double min_ms = 200;
    unsigned long long startup = 0;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--dump") && i + 1 < argc) dump = argv[++i];
        else if (!strcmp(argv[i], "--time")) timing = 1;
        else if (!strcmp(argv[i], "--huge-pages")) huge = 1;
        else if (!strcmp(argv[i], "--min-ms") && i + 1 < argc) min_ms = atof(argv[++i]);
        else if (!strcmp(argv[i], "--passes") && i + 1 < argc) passes = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--startup-work") && i + 1 < argc) startup = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr,
                    "usage: %s [--dump FILE] [--startup-work N] [--time [--min-ms M] [--passes P] [--huge-pages]]\n",
                    argv[0]);
            return 2;
        }
    }
    if (passes < 1 || min_ms <= 0) die("--passes and --min-ms must be positive");

    struct buffer buffers[SIMTUNE_MAX_BUFFERS];
    void* args[SIMTUNE_MAX_BUFFERS] = {0};
    int n = parse_spec(buffers);
    if (timing && huge) {
        uint64_t layout = layout_size(SIMTUNE_ROI_STACK_BYTES) + SIMTUNE_LAYOUT_ALIGN;
        for (int i = 0; i < n; ++i)
            layout += layout_size(buffers[i].count * elem_size(buffers[i].type)) + SIMTUNE_LAYOUT_ALIGN;
        native_layout(layout);
    }
    for (int i = 0; i < n; ++i) {
        size_t bytes = buffers[i].count * elem_size(buffers[i].type);
        buffers[i].data = map_fixed(bytes, buffers[i].name);
        initialise(&buffers[i], (uint32_t)i);
        args[i] = buffers[i].data;
    }
    startup_work(startup);

    run_roi_on_fixed_stack(args);

    for (int i = 0; i < n; ++i) printf("simtune-checksum: %s %.9g\n", buffers[i].name, checksum(&buffers[i]));
    if (dump) {
        FILE* f = fopen(dump, "wb");
        if (!f) die("cannot open the --dump file");
        for (int i = 0; i < n; ++i)
            if (fwrite(buffers[i].data, elem_size(buffers[i].type), buffers[i].count, f) != buffers[i].count)
                die("short write to the --dump file");
        if (fclose(f)) die("cannot close the --dump file");
    }
    if (timing) time_kernel(args, min_ms, passes);
    fflush(stdout);
    return 0;
}
