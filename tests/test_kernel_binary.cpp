// Specification of the kernel-binary contract: buffer specs, build_kernel for the three built-in
// targets, identical results under QEMU and natively, and a clear error for every bad binary.
#include <doctest/doctest.h>

#include <elf.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include <simtune/research.hpp>

#include "support.hpp"

using namespace simtune;
using namespace simtune::testing;
namespace fs = std::filesystem;

namespace {

const char* gemm_source = R"(
void simtune_kernel(const float *restrict a, const float *restrict b, float *restrict c) {
    for (int i = 0; i < 32; ++i)
        for (int k = 0; k < 32; ++k)
            for (int j = 0; j < 32; ++j)
                c[i * 32 + j] += a[i * 32 + k] * b[k * 32 + j];
}
)";

std::vector<BufferSpec> gemm_buffers() {
    return {{"a", ElemType::f32, 1024, BufferRole::input},
            {"b", ElemType::f32, 1024, BufferRole::input},
            {"c", ElemType::f32, 1024, BufferRole::output}};
}

std::vector<std::byte> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::vector<char> c((std::istreambuf_iterator<char>(in)), {});
    std::vector<std::byte> b(c.size());
    std::memcpy(b.data(), c.data(), c.size());
    return b;
}

void write_bytes(const fs::path& p, std::span<const std::byte> bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

/// Runs a kernel binary (natively or under the target's QEMU) and returns its --dump bytes.
std::vector<std::byte> run_and_dump(const KernelBinary& k, const Target& t, const fs::path& dir) {
    const auto dump = dir / fmt::format("dump-{}", t.name);
    std::vector<std::string> argv;
    if (!t.native) argv = {t.qemu_binary};
    argv.push_back(k.path().string());
    argv.insert(argv.end(), {"--dump", dump.string()});
    const auto r = run_process(argv);
    REQUIRE_MESSAGE(r.ok(), r.describe(), " ", r.err);
    CHECK(r.out.find("simtune-checksum: c ") != std::string::npos);
    return read_bytes(dump);
}

template <class T>
std::vector<T> as(std::span<const std::byte> bytes, std::size_t offset, std::size_t count) {
    std::vector<T> v(count);
    std::memcpy(v.data(), bytes.data() + offset, count * sizeof(T));
    return v;
}

} // namespace

TEST_CASE("buffer specs round-trip and bad ones are refused with the field named") {
    const auto buffers = gemm_buffers();
    const auto text = format_buffer_spec(buffers);
    CHECK(text == "a:f32:1024:in;b:f32:1024:in;c:f32:1024:out");
    CHECK(parse_buffer_spec(text) == buffers);
    check_error([] { parse_buffer_spec("a:f16:4:in"); }, ErrorKind::invalid_argument, "f16");
    check_error([] { parse_buffer_spec("a:f32:0:in"); }, ErrorKind::invalid_argument, "count");
    check_error([] { parse_buffer_spec("a:f32:4:sideways"); }, ErrorKind::invalid_argument, "role");
    check_error([] { parse_buffer_spec("1a:f32:4:in"); }, ErrorKind::invalid_argument, "identifier");
    check_error([] { parse_buffer_spec("a:f32:4"); }, ErrorKind::invalid_argument, "name:type:count:role");
    check_error([] { parse_buffer_spec(""); }, ErrorKind::invalid_argument, "empty");
}

TEST_CASE("buffer initialisation is deterministic, bounded, and zero for outputs") {
    BufferSpec in{"x", ElemType::f32, 4096, BufferRole::input};
    std::vector<std::byte> a(in.bytes()), b(in.bytes());
    initialise_buffer(in, 0, a);
    initialise_buffer(in, 0, b);
    CHECK(a == b);
    initialise_buffer(in, 1, b);
    CHECK(a != b); // different buffers get different data
    for (float v : as<float>(a, 0, in.count)) {
        CHECK(v >= -1.0f);
        CHECK(v < 1.0f);
    }
    BufferSpec out{"y", ElemType::i32, 16, BufferRole::output};
    std::vector<std::byte> o(out.bytes(), std::byte{0xff});
    initialise_buffer(out, 2, o);
    for (auto v : as<std::int32_t>(o, 0, 16)) CHECK(v == 0);
}

TEST_CASE("a GEMM builds for all three targets and gives the same results under QEMU as natively") {
    const auto dir = scratch_dir("gemm");
    BuildOptions opts;
    opts.cache_dir = dir / "cache";
    const auto host = host_x86_64();
    const auto native_kernel = build_kernel(gemm_source, gemm_buffers(), host, opts);
    const auto native = run_and_dump(native_kernel, host, dir);
    REQUIRE(native.size() == 3 * 1024 * 4);

    // The harness fills inputs exactly like initialise_buffer (Unicorn relies on it).
    std::vector<std::byte> expected_a(1024 * 4);
    initialise_buffer(gemm_buffers()[0], 0, expected_a);
    CHECK(std::memcmp(native.data(), expected_a.data(), expected_a.size()) == 0);

    // The output is right: compare with a double-precision reference computed here.
    const auto a = as<float>(native, 0, 1024), b = as<float>(native, 4096, 1024), c = as<float>(native, 8192, 1024);
    for (int i = 0; i < 32; ++i)
        for (int j = 0; j < 32; ++j) {
            double ref = 0;
            for (int k = 0; k < 32; ++k) ref += double(a[i * 32 + k]) * double(b[k * 32 + j]);
            CHECK(c[i * 32 + j] == doctest::Approx(ref).epsilon(1e-4));
        }

    for (const auto& target : builtin_targets()) {
        CAPTURE(target.name);
        const auto k = build_kernel(gemm_source, gemm_buffers(), target, opts);
        CHECK(k.isa() == target.isa);
        CHECK(k.buffers() == gemm_buffers());
        CHECK(k.kernel_code().first < k.kernel_code().second);
        Target under_qemu = target;
        under_qemu.native = false;
        const auto simulated = run_and_dump(k, under_qemu, dir);
        REQUIRE(simulated.size() == native.size());
        // Inputs bit-identical on every ISA; outputs equal within float tolerance (AArch64 and
        // RISC-V contract a*b+c into fused multiply-adds, x86-64 does not).
        CHECK(std::memcmp(simulated.data(), native.data(), 8192) == 0);
        const auto cs = as<float>(simulated, 8192, 1024);
        for (std::size_t i = 0; i < cs.size(); ++i) CHECK(cs[i] == doctest::Approx(c[i]).epsilon(1e-5));
    }
    fs::remove_all(dir);
}

TEST_CASE("build_kernel caches by content and reports compiler errors with diagnostics") {
    const auto dir = scratch_dir("cache");
    BuildOptions opts;
    opts.cache_dir = dir;
    const auto host = host_x86_64();
    const auto first = build_kernel(gemm_source, gemm_buffers(), host, opts);
    const auto second = build_kernel(gemm_source, gemm_buffers(), host, opts);
    CHECK(first.path() == second.path());
    CHECK(first.content_hash() == second.content_hash());
    opts.flags = {"-O3"};
    const auto third = build_kernel(gemm_source, gemm_buffers(), host, opts);
    CHECK(third.path() != first.path());

    check_error([&] { build_kernel("void simtune_kernel(float *a) { a[0] = ; }", gemm_buffers(), host, opts); },
                ErrorKind::build_failed, "expected expression");
    check_error([&] { build_kernel("int x;", gemm_buffers(), host, opts); }, ErrorKind::invalid_argument,
                "simtune_kernel");
    check_error([&] { build_kernel(gemm_source, {}, host, opts); }, ErrorKind::invalid_argument, "at least one buffer");
    Target broken = cortex_a72();
    broken.toolchain_prefix = "no-such-toolchain-";
    check_error([&] { build_kernel(gemm_source, gemm_buffers(), broken, opts); }, ErrorKind::tool_missing,
                "no-such-toolchain-gcc");
    fs::remove_all(dir);
}

TEST_CASE("loading anything but a simtune kernel binary fails with a clear error") {
    const auto dir = scratch_dir("bad");
    BuildOptions opts;
    opts.cache_dir = dir / "cache";
    const auto good = build_kernel(gemm_source, gemm_buffers(), host_x86_64(), opts);
    const auto bytes = read_bytes(good.path());

    check_error([&] { KernelBinary::load(dir / "missing.elf"); }, ErrorKind::io, "no such file");
    check_error([&] { KernelBinary::load(dir); }, ErrorKind::io, "is a directory");
    write_bytes(dir / "empty", {});
    check_error([&] { KernelBinary::load(dir / "empty"); }, ErrorKind::invalid_binary, "empty file");
    const std::string text = "#!/bin/sh\necho not an ELF\n";
    write_bytes(dir / "script", std::as_bytes(std::span(text)));
    check_error([&] { KernelBinary::load(dir / "script"); }, ErrorKind::invalid_binary, "not an ELF");
    write_bytes(dir / "header-only", std::span(bytes).first(40));
    check_error([&] { KernelBinary::load(dir / "header-only"); }, ErrorKind::invalid_binary, "truncated");
    write_bytes(dir / "truncated", std::span(bytes).first(bytes.size() / 2));
    check_error([&] { KernelBinary::load(dir / "truncated"); }, ErrorKind::invalid_binary, "truncated");

    auto corrupt = bytes;
    corrupt[4] = std::byte{1}; // ELFCLASS32
    write_bytes(dir / "class32", corrupt);
    check_error([&] { KernelBinary::load(dir / "class32"); }, ErrorKind::invalid_binary, "32-bit");
    corrupt = bytes;
    std::memset(corrupt.data() + 0x28, 0xff, 8); // e_shoff far beyond the file
    write_bytes(dir / "bad-shoff", corrupt);
    check_error([&] { KernelBinary::load(dir / "bad-shoff"); }, ErrorKind::invalid_binary, "section header table");

    // A loadable segment whose end wraps around the address space: the Unicorn engine would copy
    // its file bytes outside the guest's memory (host memory corruption) were it accepted.
    {
        Elf64_Ehdr eh;
        std::memcpy(&eh, bytes.data(), sizeof eh);
        bool patched = false;
        for (unsigned i = 0; i < eh.e_phnum && !patched; ++i) {
            Elf64_Phdr ph;
            const auto at = eh.e_phoff + i * sizeof(Elf64_Phdr);
            std::memcpy(&ph, bytes.data() + at, sizeof ph);
            if (ph.p_type != PT_LOAD) continue;
            for (const auto vaddr : {~std::uint64_t{0} - 0xfff, std::uint64_t{1} << 60}) {
                corrupt = bytes;
                ph.p_vaddr = vaddr;
                std::memcpy(corrupt.data() + at, &ph, sizeof ph);
                write_bytes(dir / "wrapping-segment", corrupt);
                check_error([&] { KernelBinary::load(dir / "wrapping-segment"); }, ErrorKind::invalid_binary,
                            "wraps around or lies beyond");
            }
            patched = true;
        }
        REQUIRE(patched);
    }

    check_error([&] { KernelBinary::load(good.path(), Isa::aarch64); }, ErrorKind::wrong_isa, "built for x86-64");
    const auto arm = build_kernel(gemm_source, gemm_buffers(), cortex_a72(), opts);
    check_error([&] { KernelBinary::load(arm.path(), Isa::riscv64); }, ErrorKind::wrong_isa, "aarch64");

    // A valid static executable that is not a simtune kernel binary.
    const std::string hello = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n";
    write_bytes(dir / "hello.c", std::as_bytes(std::span(hello)));
    const auto r = run_process({"gcc", "-static", "-O2", (dir / "hello.c").string(), "-o", (dir / "hello").string()});
    REQUIRE(r.ok());
    check_error([&] { KernelBinary::load(dir / "hello"); }, ErrorKind::invalid_binary,
                "missing symbol 'simtune_kernel'");
    // A dynamically linked executable.
    const auto d = run_process({"gcc", "-O2", (dir / "hello.c").string(), "-o", (dir / "hello-dyn").string()});
    REQUIRE(d.ok());
    check_error([&] { KernelBinary::load(dir / "hello-dyn"); }, ErrorKind::invalid_binary, "ET_DYN");
    // A stripped kernel binary has no symbols left to find the kernel by.
    REQUIRE(run_process({"strip", "-o", (dir / "stripped").string(), good.path().string()}).ok());
    check_error([&] { KernelBinary::load(dir / "stripped"); }, ErrorKind::invalid_binary, "symbol table");
    fs::remove_all(dir);
}

TEST_CASE("the harness times the kernel natively and reports min and median") {
    const auto dir = scratch_dir("time");
    BuildOptions opts;
    opts.cache_dir = dir;
    const auto k = build_kernel(gemm_source, gemm_buffers(), host_x86_64(), opts);
    const auto r = run_process({k.path().string(), "--time", "--min-ms", "20", "--passes", "5"});
    REQUIRE(r.ok());
    CHECK(r.out.find("simtune-time: min_ns=") != std::string::npos);
    CHECK(r.out.find("batches=5") != std::string::npos);
    const auto bad = run_process({k.path().string(), "--bogus"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("usage") != std::string::npos);
    fs::remove_all(dir);
}
