// Specification of build_kernel_from_object: a kernel object made by another compiler (the cross
// GCC with -c, LLVM 15's llc from LLVM IR) links with the harness into a KernelBinary that computes
// the right result under Unicorn on every target; every bad object gets a clear Error.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstring>
#include <fstream>

#include <simtune/research.hpp>

#include "support.hpp"

using namespace simtune;
using namespace simtune::testing;
namespace fs = std::filesystem;

namespace {

// c[i] += a[i] * b[i] over 256 floats, and the same in LLVM IR (what an MLIR pipeline hands llc).
const char* axpy_c = R"(
void simtune_kernel(const float *restrict a, const float *restrict b, float *restrict c) {
    for (int i = 0; i < 256; ++i) c[i] += a[i] * b[i];
}
)";

const char* axpy_ll = R"(
define void @simtune_kernel(ptr noalias %a, ptr noalias %b, ptr noalias %c) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %pa = getelementptr float, ptr %a, i64 %i
  %pb = getelementptr float, ptr %b, i64 %i
  %pc = getelementptr float, ptr %c, i64 %i
  %va = load float, ptr %pa
  %vb = load float, ptr %pb
  %vc = load float, ptr %pc
  %m = fmul float %va, %vb
  %s = fadd float %vc, %m
  store float %s, ptr %pc
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, 256
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
)";

constexpr const char* llc = "/usr/lib/llvm-15/bin/llc";

std::vector<BufferSpec> axpy_buffers() {
    return {{"a", ElemType::f32, 256, BufferRole::input},
            {"b", ElemType::f32, 256, BufferRole::input},
            {"c", ElemType::f32, 256, BufferRole::inout}};
}

void write_text(const fs::path& p, std::string_view text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

void run_ok(const std::vector<std::string>& argv) {
    const auto r = run_process(argv);
    REQUIRE_MESSAGE(r.ok(), fmt::format("{}: {} {}", fmt::join(argv, " "), r.describe(), r.err));
}

/// llc's arguments for a built-in target: the triple, and the CPU and ABI its GCC objects use.
std::vector<std::string> llc_flags(const Target& t) {
    switch (t.isa) {
        case Isa::x86_64: return {"-mtriple=x86_64-linux-gnu", "-mcpu=x86-64-v2"};
        case Isa::aarch64: return {"-mtriple=aarch64-linux-gnu", "-mcpu=cortex-a72"};
        case Isa::riscv64: return {"-mtriple=riscv64-linux-gnu", "-mattr=+m,+a,+f,+d,+c", "-target-abi=lp64d"};
    }
    return {};
}

/// Runs the kernel under Unicorn and checks c = c0 + a*b against values computed here.
void check_axpy_result(const KernelBinary& kernel, const Target& target) {
    UnicornSimulator sim;
    CollectorSet none;
    const auto result = sim.run(kernel, target, none);
    REQUIRE(result.buffers.size() == 3);
    const auto buffers = axpy_buffers();
    std::vector<std::vector<std::byte>> init;
    for (std::size_t i = 0; i < buffers.size(); ++i) {
        init.emplace_back(buffers[i].bytes());
        initialise_buffer(buffers[i], i, init.back());
    }
    std::vector<float> a(256), b(256), c0(256), c(256);
    std::memcpy(a.data(), init[0].data(), 1024);
    std::memcpy(b.data(), init[1].data(), 1024);
    std::memcpy(c0.data(), init[2].data(), 1024);
    std::memcpy(c.data(), result.buffers[2].data(), 1024);
    for (std::size_t i = 0; i < 256; ++i) CHECK(c[i] == doctest::Approx(c0[i] + a[i] * b[i]).epsilon(1e-6));
    CHECK(result.stats.instructions > 256); // it did loop over all elements
}

} // namespace

TEST_CASE("objects from the cross GCC and from llc link into kernel binaries that compute the right result") {
    const auto dir = scratch_dir("from-object");
    BuildOptions opts;
    opts.cache_dir = dir / "cache";
    write_text(dir / "axpy.c", axpy_c);
    write_text(dir / "axpy.ll", axpy_ll);
    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        const auto gcc_object = dir / fmt::format("gcc-{}.o", target.name);
        std::vector<std::string> cc{target.compiler(),         "-O2", "-c",
                                    (dir / "axpy.c").string(), "-o",  gcc_object.string()};
        cc.insert(cc.end(), target.cflags.begin(), target.cflags.end());
        run_ok(cc);
        const auto from_gcc = build_kernel_from_object(gcc_object, axpy_buffers(), target, opts);
        CHECK(from_gcc.isa() == target.isa);
        CHECK(from_gcc.buffers() == axpy_buffers());
        check_axpy_result(from_gcc, target);

        const auto llc_object = dir / fmt::format("llc-{}.o", target.name);
        std::vector<std::string> argv{llc, "-O2", "-filetype=obj", "-relocation-model=static"};
        const auto flags = llc_flags(target);
        argv.insert(argv.end(), flags.begin(), flags.end());
        argv.insert(argv.end(), {(dir / "axpy.ll").string(), "-o", llc_object.string()});
        run_ok(argv);
        const auto from_llc = build_kernel_from_object(llc_object, axpy_buffers(), target, opts);
        CHECK(from_llc.content_hash() != from_gcc.content_hash());
        check_axpy_result(from_llc, target);

        // Cached by the object's bytes: the same object gives the same published binary.
        const auto again = build_kernel_from_object(llc_object, axpy_buffers(), target, opts);
        CHECK(again.path() == from_llc.path());
    }
    // The harness is compiled once per target and shared by every link (build_kernel's too).
    std::size_t harness_objects = 0;
    for (const auto& entry : fs::directory_iterator(opts.cache_dir / "harness"))
        harness_objects += entry.path().extension() == ".o";
    CHECK(harness_objects == builtin_targets().size());
    fs::remove_all(dir);
}

TEST_CASE("build_kernel_from_object refuses bad objects with a clear error") {
    const auto dir = scratch_dir("from-object-bad");
    BuildOptions opts;
    opts.cache_dir = dir / "cache";
    const auto host = host_x86_64();
    write_text(dir / "axpy.c", axpy_c);

    check_error([&] { build_kernel_from_object(dir / "missing.o", axpy_buffers(), host, opts); }, ErrorKind::io,
                "no such file");
    check_error([&] { build_kernel_from_object(dir, axpy_buffers(), host, opts); }, ErrorKind::io,
                "not a regular file");
    write_text(dir / "text.o", "not an object\n");
    check_error([&] { build_kernel_from_object(dir / "text.o", axpy_buffers(), host, opts); },
                ErrorKind::invalid_binary, "not an ELF");

    // An AArch64 object offered for the x86-64 host.
    run_ok({"aarch64-linux-gnu-gcc", "-O2", "-c", (dir / "axpy.c").string(), "-o", (dir / "arm.o").string()});
    check_error([&] { build_kernel_from_object(dir / "arm.o", axpy_buffers(), host, opts); }, ErrorKind::wrong_isa,
                "target host-x86-64 is x86-64");

    // A linked executable is not an object.
    write_text(dir / "main.c", "int main(void) { return 0; }\n");
    run_ok({"gcc", "-O2", (dir / "main.c").string(), "-o", (dir / "main").string()});
    check_error([&] { build_kernel_from_object(dir / "main", axpy_buffers(), host, opts); }, ErrorKind::invalid_binary,
                "not a relocatable object");

    // An object without the kernel, and one whose kernel sits outside .text.
    write_text(dir / "other.c", "void other(float *a) { a[0] = 1; }\n");
    run_ok({"gcc", "-O2", "-c", (dir / "other.c").string(), "-o", (dir / "other.o").string()});
    check_error([&] { build_kernel_from_object(dir / "other.o", axpy_buffers(), host, opts); },
                ErrorKind::invalid_binary, "does not define simtune_kernel");
    run_ok({"gcc", "-O2", "-ffunction-sections", "-c", (dir / "axpy.c").string(), "-o", (dir / "sections.o").string()});
    check_error([&] { build_kernel_from_object(dir / "sections.o", axpy_buffers(), host, opts); },
                ErrorKind::invalid_binary, "'.text.simtune_kernel'");

    // A truncated object.
    run_ok({"gcc", "-O2", "-c", (dir / "axpy.c").string(), "-o", (dir / "good.o").string()});
    fs::resize_file(dir / "good.o", 100);
    check_error([&] { build_kernel_from_object(dir / "good.o", axpy_buffers(), host, opts); },
                ErrorKind::invalid_binary, "truncated");
    check_error([&] { build_kernel_from_object(dir / "sections.o", {}, host, opts); }, ErrorKind::invalid_argument,
                "at least one buffer");
    fs::remove_all(dir);
}
