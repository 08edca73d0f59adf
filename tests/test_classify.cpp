// Classification of real instruction encodings. The bytes come from the cross assemblers:
//   as (Intel syntax) | objdump -d -M intel
//   aarch64-linux-gnu-as | aarch64-linux-gnu-objdump -d
//   riscv64-linux-gnu-as -march=rv64gc | riscv64-linux-gnu-objdump -d -M no-aliases
// (AArch64 and RISC-V words written here as their little-endian bytes.)
#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "simtune/error.hpp"
#include "simtune/isa/classify.hpp"

using namespace simtune;

namespace {

enum class Flow {
    none,
    jump,
    conditional
};

struct Case {
    std::vector<std::uint8_t> bytes;
    const char* assembly;
    InsnClass cls;
    Flow flow = Flow::none;
};

std::span<const std::byte> as_bytes(const std::vector<std::uint8_t>& v) { return std::as_bytes(std::span(v)); }

void check_cases(Isa isa, const std::vector<Case>& cases) {
    const Classifier classifier(isa);
    CHECK(classifier.isa() == isa);
    for (const Case& c : cases) {
        const std::string assembly = c.assembly;
        CAPTURE(assembly);
        const InsnInfo info = classifier.classify(as_bytes(c.bytes), 0x1000);
        CHECK(info.size == c.bytes.size());
        CHECK(to_string(info.cls) == to_string(c.cls));
        CHECK(info.is_branch == (c.flow != Flow::none));
        CHECK(info.is_conditional == (c.flow == Flow::conditional));
    }
}

constexpr auto alu = InsnClass::int_alu, muldiv = InsnClass::mul_div, fp = InsnClass::fp_scalar, simd = InsnClass::simd,
               load = InsnClass::load, store = InsnClass::store, branch = InsnClass::branch;

} // namespace

TEST_CASE("x86-64 instructions get the documented class") {
    check_cases(Isa::x86_64, {
                                 {{0x0f, 0x59, 0xc1}, "mulps xmm0,xmm1", simd},
                                 {{0xf2, 0x0f, 0x58, 0xc1}, "addsd xmm0,xmm1", fp},
                                 {{0x0f, 0x58, 0x00}, "addps xmm0,XMMWORD PTR [rax]", simd},
                                 {{0x48, 0x8b, 0x03}, "mov rax,QWORD PTR [rbx]", load},
                                 {{0x48, 0x89, 0x03}, "mov QWORD PTR [rbx],rax", store},
                                 {{0x0f, 0x10, 0x00}, "movups xmm0,XMMWORD PTR [rax]", load},
                                 {{0x48, 0x0f, 0xaf, 0xc3}, "imul rax,rbx", muldiv},
                                 {{0x48, 0xf7, 0xf1}, "div rcx", muldiv},
                                 {{0x48, 0x8d, 0x44, 0x8b, 0x08}, "lea rax,[rbx+rcx*4+0x8]", alu},
                                 {{0x75, 0x0e}, "jne 0x2f", branch, Flow::conditional},
                                 {{0xe8, 0xfb, 0x00, 0x00, 0x00}, "call 0x121", branch, Flow::jump},
                                 {{0xc3}, "ret", branch, Flow::jump},
                                 {{0xc4, 0xe2, 0x75, 0xb8, 0xc2}, "vfmadd231ps ymm0,ymm1,ymm2", simd},
                                 {{0x48, 0x01, 0xd8}, "add rax,rbx", alu},
                                 {{0xf3, 0x0f, 0x10, 0x00}, "movss xmm0,DWORD PTR [rax]", load},
                                 {{0xf3, 0x0f, 0x11, 0x00}, "movss DWORD PTR [rax],xmm0", store},
                                 {{0xf3, 0x0f, 0x59, 0xc1}, "mulss xmm0,xmm1", fp},
                                 {{0xeb, 0x1e}, "jmp 0x5b", branch, Flow::jump},
                                 {{0x53}, "push rbx", store},
                                 {{0x5b}, "pop rbx", load},
                                 {{0x48, 0x39, 0xd8}, "cmp rax,rbx", alu},
                                 {{0x48, 0x89, 0xd8}, "mov rax,rbx", alu},
                                 {{0x0f, 0x28, 0xc1}, "movaps xmm0,xmm1", simd},
                                 {{0x01, 0x08}, "add DWORD PTR [rax],ecx", alu},
                                 {{0xe2, 0x03}, "loop 0x4f", branch, Flow::conditional},
                                 {{0xe3, 0x03}, "jrcxz 0x51", branch, Flow::conditional},
                                 {{0xff, 0xe0}, "jmp rax", branch, Flow::jump},
                                 {{0xf2, 0x48, 0x0f, 0x2a, 0xc0}, "cvtsi2sd xmm0,rax", fp},
                                 {{0xf2, 0x0f, 0x51, 0xc1}, "sqrtsd xmm0,xmm1", fp},
                                 {{0xc5, 0xf4, 0x58, 0x00}, "vaddps ymm0,ymm1,YMMWORD PTR [rax]", simd},
                                 {{0xc5, 0xfc, 0x10, 0x00}, "vmovups ymm0,YMMWORD PTR [rax]", load},
                                 {{0xc5, 0xfc, 0x11, 0x00}, "vmovups YMMWORD PTR [rax],ymm0", store},
                                 {{0x66, 0x0f, 0xef, 0xc0}, "pxor xmm0,xmm0", simd},
                                 {{0x48, 0xf7, 0xe3}, "mul rbx", muldiv},
                                 {{0x48, 0xf7, 0xf9}, "idiv rcx", muldiv},
                                 {{0xf2, 0x0f, 0x10, 0x00}, "movsd xmm0,QWORD PTR [rax]", load},
                                 {{0x66, 0x0f, 0x29, 0x08}, "movapd XMMWORD PTR [rax],xmm1", store},
                                 {{0x0f, 0x57, 0xc0}, "xorps xmm0,xmm0", simd},
                                 {{0xc4, 0xe2, 0x71, 0xb9, 0xc2}, "vfmadd231ss xmm0,xmm1,xmm2", fp},
                                 {{0x0f, 0xb6, 0x03}, "movzx eax,BYTE PTR [rbx]", load},
                                 {{0x48, 0x0f, 0x45, 0xc3}, "cmovne rax,rbx", alu},
                                 {{0x90}, "nop", alu},
                             });
}

TEST_CASE("AArch64 instructions get the documented class") {
    check_cases(Isa::aarch64, {
                                  {{0x20, 0xcc, 0x22, 0x4e}, "fmla v0.4s, v1.4s, v2.4s", simd},
                                  {{0x20, 0x28, 0x22, 0x1e}, "fadd s0, s1, s2", fp},
                                  {{0x20, 0x0c, 0x42, 0x1f}, "fmadd d0, d1, d2, d3", fp},
                                  {{0x20, 0x00, 0xc0, 0x3d}, "ldr q0, [x1]", load},
                                  {{0x62, 0x04, 0x00, 0xf9}, "str x2, [x3, #8]", store},
                                  {{0xe4, 0x17, 0x41, 0xa9}, "ldp x4, x5, [sp, #16]", load},
                                  {{0x20, 0x7c, 0x02, 0x9b}, "mul x0, x1, x2", muldiv},
                                  {{0x20, 0x0c, 0xc2, 0x9a}, "sdiv x0, x1, x2", muldiv},
                                  {{0x01, 0x02, 0x00, 0x54}, "b.ne .+0x40", branch, Flow::conditional},
                                  {{0x00, 0x01, 0x00, 0xb4}, "cbz x0, .+0x20", branch, Flow::conditional},
                                  {{0xc0, 0x03, 0x5f, 0xd6}, "ret", branch, Flow::jump},
                                  {{0x40, 0x00, 0x00, 0x94}, "bl .+0x100", branch, Flow::jump},
                                  {{0x20, 0x00, 0x02, 0x8b}, "add x0, x1, x2", alu},
                                  {{0x00, 0x78, 0x40, 0x4c}, "ld1 {v0.4s}, [x0]", load},
                                  {{0x00, 0x78, 0x00, 0x4c}, "st1 {v0.4s}, [x0]", store},
                                  {{0x00, 0x00, 0x40, 0xbd}, "ldr s0, [x0]", load},
                                  {{0x01, 0x84, 0x00, 0xfc}, "str d1, [x0], #8", store},
                                  {{0x20, 0xd4, 0x22, 0x4e}, "fadd v0.4s, v1.4s, v2.4s", simd},
                                  {{0x20, 0x1c, 0xa1, 0x4e}, "mov v0.16b, v1.16b", simd},
                                  {{0x20, 0x40, 0x60, 0x1e}, "fmov d0, d1", fp},
                                  {{0x02, 0x00, 0x00, 0x14}, "b .+8", branch, Flow::jump},
                                  {{0x60, 0x00, 0x1f, 0xd6}, "br x3", branch, Flow::jump},
                                  {{0x80, 0x00, 0x18, 0x37}, "tbnz w0, #3, .+0x10", branch, Flow::conditional},
                                  {{0x80, 0x00, 0x00, 0xb5}, "cbnz x0, .+0x10", branch, Flow::conditional},
                                  {{0x20, 0x0c, 0x02, 0x9b}, "madd x0, x1, x2, x3", muldiv},
                                  {{0x20, 0x08, 0xc2, 0x1a}, "udiv w0, w1, w2", muldiv},
                                  {{0x20, 0x7c, 0xc2, 0x9b}, "umulh x0, x1, x2", muldiv},
                                  {{0x00, 0x00, 0x62, 0x9e}, "scvtf d0, x0", fp},
                                  {{0x20, 0x68, 0x62, 0x38}, "ldrb w0, [x1, x2]", load},
                                  {{0x00, 0x04, 0x00, 0xad}, "stp q0, q1, [x0]", store},
                                  {{0x00, 0x00, 0x00, 0x90}, "adrp x0, .", alu},
                                  {{0x20, 0x78, 0x62, 0xf8}, "ldr x0, [x1, x2, lsl #3]", load},
                                  {{0x20, 0x0c, 0x04, 0x4e}, "dup v0.4s, w1", simd},
                                  {{0x00, 0xc8, 0x40, 0x4d}, "ld1r {v0.4s}, [x0]", load},
                                  {{0xa0, 0x00, 0x3f, 0xd6}, "blr x5", branch, Flow::jump},
                                  {{0x20, 0x00, 0x38, 0x1e}, "fcvtzs w0, s1", fp},
                                  {{0x20, 0x84, 0xa2, 0x4e}, "add v0.4s, v1.4s, v2.4s", simd},
                                  {{0x1f, 0x20, 0x03, 0xd5}, "nop", alu},
                              });
}

TEST_CASE("RV64GC instructions, compressed ones included, get the documented class") {
    check_cases(Isa::riscv64, {
                                  {{0x43, 0xf5, 0xc5, 0x68}, "fmadd.s fa0,fa1,fa2,fa3", fp},
                                  {{0x07, 0x25, 0x45, 0x00}, "flw fa0,4(a0)", load},
                                  {{0x27, 0xa4, 0xa5, 0x00}, "fsw fa0,8(a1)", store},
                                  {{0x03, 0xb5, 0x05, 0x01}, "ld a0,16(a1)", load},
                                  {{0x23, 0xbc, 0xa5, 0x00}, "sd a0,24(a1)", store},
                                  {{0x33, 0x85, 0xc5, 0x02}, "mul a0,a1,a2", muldiv},
                                  {{0x33, 0xc5, 0xc5, 0x02}, "div a0,a1,a2", muldiv},
                                  {{0x63, 0x08, 0xb5, 0x00}, "beq a0,a1,.+16", branch, Flow::conditional},
                                  {{0xef, 0x00, 0x00, 0x10}, "jal ra,.+0x100", branch, Flow::jump},
                                  {{0xe7, 0x80, 0x07, 0x00}, "jalr ra,0(a5)", branch, Flow::jump},
                                  {{0x67, 0x80, 0x00, 0x00}, "jalr zero,0(ra) (ret)", branch, Flow::jump},
                                  {{0x33, 0x85, 0xc5, 0x00}, "add a0,a1,a2", alu},
                                  {{0x13, 0x05, 0x15, 0x00}, "addi a0,a0,1", alu},
                                  {{0x53, 0xf5, 0xc5, 0x02}, "fadd.d fa0,fa1,fa2", fp},
                                  {{0x3b, 0x85, 0xc5, 0x02}, "mulw a0,a1,a2", muldiv},
                                  {{0x33, 0xf5, 0xc5, 0x02}, "remu a0,a1,a2", muldiv},
                                  {{0x37, 0x55, 0x34, 0x12}, "lui a0,0x12345", alu},
                                  {{0x17, 0x05, 0x00, 0x00}, "auipc a0,0x0", alu},
                                  {{0x07, 0x35, 0x05, 0x00}, "fld fa0,0(a0)", load},
                                  {{0x27, 0x30, 0xa5, 0x00}, "fsd fa0,0(a0)", store},
                                  {{0x03, 0x25, 0x05, 0x00}, "lw a0,0(a0)", load},
                                  {{0x63, 0x64, 0xb5, 0x00}, "bltu a0,a1,.+8", branch, Flow::conditional},
                                  {{0x53, 0x05, 0x05, 0xe0}, "fmv.x.w a0,fa0", fp},
                                  {{0x53, 0x75, 0x25, 0xd2}, "fcvt.d.l fa0,a0", fp},
                                  {{0x73, 0x00, 0x00, 0x00}, "ecall", alu},
                                  {{0x0f, 0x00, 0xf0, 0x0f}, "fence iorw,iorw", alu},
                                  {{0x2f, 0xa5, 0x05, 0x10}, "lr.w a0,(a1)", load},
                                  {{0x2f, 0xa6, 0xa5, 0x18}, "sc.w a2,a0,(a1)", store},
                                  {{0x2f, 0x25, 0xb6, 0x00}, "amoadd.w a0,a1,(a2)", alu},
                                  {{0x05, 0x05}, "c.addi a0,1", alu},
                                  {{0xc8, 0x41}, "c.lw a0,4(a1)", load},
                                  {{0x88, 0x65}, "c.ld a0,8(a1)", load},
                                  {{0x88, 0xe5}, "c.sd a0,8(a1)", store},
                                  {{0x01, 0xc5}, "c.beqz a0,.+8", branch, Flow::conditional},
                                  {{0x01, 0xe5}, "c.bnez a0,.+8", branch, Flow::conditional},
                                  {{0x01, 0xa8}, "c.j .+0x10", branch, Flow::jump},
                                  {{0x82, 0x87}, "c.jr a5", branch, Flow::jump},
                                  {{0x82, 0x97}, "c.jalr a5", branch, Flow::jump},
                                  {{0x2e, 0x85}, "c.mv a0,a1", alu},
                                  {{0x2e, 0x95}, "c.add a0,a1", alu},
                                  {{0x0d, 0x45}, "c.li a0,3", alu},
                                  {{0x88, 0x25}, "c.fld fa0,8(a1)", load},
                                  {{0x88, 0xa5}, "c.fsd fa0,8(a1)", store},
                                  {{0x22, 0x65}, "c.ldsp a0,8(sp)", load},
                                  {{0x2a, 0xe4}, "c.sdsp a0,8(sp)", store},
                                  {{0x12, 0x45}, "c.lwsp a0,4(sp)", load},
                                  {{0x2a, 0xc2}, "c.swsp a0,4(sp)", store},
                                  {{0x22, 0x25}, "c.fldsp fa0,8(sp)", load},
                                  {{0x2a, 0xa4}, "c.fsdsp fa0,8(sp)", store},
                                  {{0x0e, 0x05}, "c.slli a0,0x3", alu},
                                  {{0x0d, 0x81}, "c.srli a0,0x3", alu},
                                  {{0x6d, 0x8d}, "c.and a0,a1", alu},
                                  {{0x05, 0x25}, "c.addiw a0,1", alu},
                                  {{0x05, 0x61}, "c.addi16sp sp,32", alu},
                                  {{0x08, 0x08}, "c.addi4spn a0,sp,16", alu},
                                  {{0x05, 0x65}, "c.lui a0,0x1", alu},
                                  {{0x02, 0x90}, "c.ebreak", alu},
                                  {{0x01, 0x00}, "c.nop", alu},
                              });
}

TEST_CASE("undecodable bytes have size 0 and disassemble as such") {
    const std::vector<std::uint8_t> x86_ud2{0x0f, 0x0b};                 // ud2 is a valid (trapping) instruction
    const std::vector<std::uint8_t> x86_invalid{0x06};                   // push es: invalid in 64-bit mode
    const std::vector<std::uint8_t> a64_udf{0x00, 0x00, 0x00, 0x00};     // udf #0: permanently undefined
    const std::vector<std::uint8_t> rv_zero{0x00, 0x00};                 // defined illegal parcel
    const std::vector<std::uint8_t> rv_reserved{0x7f, 0x00, 0x00, 0x00}; // 80-bit+ encoding space
    const std::vector<std::uint8_t> truncated_rv32{0x33, 0x85};          // half of `add`
    CHECK(Classifier(Isa::x86_64).classify(as_bytes(x86_ud2), 0).size == 2);
    CHECK(Classifier(Isa::x86_64).classify(as_bytes(x86_invalid), 0).size == 0);
    CHECK(Classifier(Isa::x86_64).classify({}, 0).size == 0);
    CHECK(Classifier(Isa::aarch64).classify(as_bytes(a64_udf), 0).size == 0);
    CHECK(Classifier(Isa::riscv64).classify(as_bytes(rv_zero), 0).size == 0);
    CHECK(Classifier(Isa::riscv64).classify(as_bytes(rv_reserved), 0).size == 0);
    CHECK(Classifier(Isa::riscv64).classify(as_bytes(truncated_rv32), 0).size == 0);
    CHECK(Classifier(Isa::x86_64).disassemble(as_bytes(x86_invalid), 0) == "(undecodable: 06)");
    CHECK(Classifier(Isa::riscv64).disassemble(as_bytes(rv_zero), 0).starts_with("(undecodable"));
}

TEST_CASE("disassemble names the instruction") {
    const std::vector<std::uint8_t> x86{0x48, 0x8b, 0x03};
    const std::vector<std::uint8_t> a64{0x20, 0xcc, 0x22, 0x4e};
    const std::vector<std::uint8_t> rv_beq{0x63, 0x08, 0xb5, 0x00};
    const std::vector<std::uint8_t> rv_fmadd{0x43, 0xf5, 0xc5, 0x68};
    CHECK(Classifier(Isa::x86_64).disassemble(as_bytes(x86), 0) == "mov rax, qword ptr [rbx]");
    CHECK(Classifier(Isa::aarch64).disassemble(as_bytes(a64), 0) == "fmla v0.4s, v1.4s, v2.4s");
    CHECK(Classifier(Isa::riscv64).disassemble(as_bytes(rv_beq), 0x1c) == "beq a0,a1,2c");
    CHECK(Classifier(Isa::riscv64).disassemble(as_bytes(rv_fmadd), 0) == "fmadd.s fa0,fa1,fa2,fa3");
}

TEST_CASE("decode_block sums the class histogram and stops after the first branch") {
    SUBCASE("x86-64: load, mulps, add, jne, then code past the branch") {
        // mov rax,[rbx]; mulps xmm0,xmm1; add rax,rbx; jne; ret (not part of the block)
        const std::vector<std::uint8_t> code{0x48, 0x8b, 0x03, 0x0f, 0x59, 0xc1, 0x48, 0x01, 0xd8, 0x75, 0x0e, 0xc3};
        const DecodedBlock b = Classifier(Isa::x86_64).decode_block(as_bytes(code), 0x400000);
        CHECK(b.address == 0x400000);
        CHECK(b.end == 0x400000 + 11);
        CHECK(b.instructions == 4);
        CHECK(b.class_counts[static_cast<std::size_t>(InsnClass::load)] == 1);
        CHECK(b.class_counts[static_cast<std::size_t>(InsnClass::simd)] == 1);
        CHECK(b.class_counts[static_cast<std::size_t>(InsnClass::int_alu)] == 1);
        CHECK(b.class_counts[static_cast<std::size_t>(InsnClass::branch)] == 1);
        CHECK(b.ends_in_branch);
        CHECK(b.branch_is_conditional);
    }
    SUBCASE("RV64GC: mixed 16- and 32-bit instructions ending in c.jr") {
        // c.ld a0,8(a1); mul a0,a1,a2; c.addi a0,1; fsw fa0,8(a1); c.jr a5
        const std::vector<std::uint8_t> code{0x88, 0x65, 0x33, 0x85, 0xc5, 0x02, 0x05,
                                             0x05, 0x27, 0xa4, 0xa5, 0x00, 0x82, 0x87};
        const DecodedBlock b = Classifier(Isa::riscv64).decode_block(as_bytes(code), 0x10000);
        CHECK(b.end == 0x10000 + 14);
        CHECK(b.instructions == 5);
        CHECK(b.class_counts[static_cast<std::size_t>(InsnClass::load)] == 1);
        CHECK(b.class_counts[static_cast<std::size_t>(InsnClass::mul_div)] == 1);
        CHECK(b.class_counts[static_cast<std::size_t>(InsnClass::int_alu)] == 1);
        CHECK(b.class_counts[static_cast<std::size_t>(InsnClass::store)] == 1);
        CHECK(b.class_counts[static_cast<std::size_t>(InsnClass::branch)] == 1);
        CHECK(b.ends_in_branch);
        CHECK_FALSE(b.branch_is_conditional);
    }
    SUBCASE("AArch64: max_instructions and the end of code stop without a branch") {
        // fmla; fadd s0; ldr q0,[x1]
        const std::vector<std::uint8_t> code{0x20, 0xcc, 0x22, 0x4e, 0x20, 0x28, 0x22, 0x1e, 0x20, 0x00, 0xc0, 0x3d};
        const Classifier c(Isa::aarch64);
        const DecodedBlock two = c.decode_block(as_bytes(code), 0x1000, 2);
        CHECK(two.instructions == 2);
        CHECK(two.end == 0x1008);
        CHECK_FALSE(two.ends_in_branch);
        const DecodedBlock all = c.decode_block(as_bytes(code), 0x1000);
        CHECK(all.instructions == 3);
        CHECK(all.end == 0x100c);
        CHECK(all.class_counts[static_cast<std::size_t>(InsnClass::load)] == 1);
    }
    SUBCASE("an undecodable instruction inside a block is a clear error") {
        const std::vector<std::uint8_t> code{0x48, 0x01, 0xd8, 0x06};
        CHECK_THROWS_WITH_AS((void)Classifier(Isa::x86_64).decode_block(as_bytes(code), 0x2000),
                             doctest::Contains("undecodable x86-64 instruction at 0x2003"), simtune::Error);
    }
}

TEST_CASE("a Classifier can be moved") {
    Classifier a(Isa::riscv64);
    Classifier b = std::move(a);
    const std::vector<std::uint8_t> mul{0x33, 0x85, 0xc5, 0x02};
    CHECK(b.classify(as_bytes(mul), 0).cls == InsnClass::mul_div);
}

TEST_CASE("x86-64 register-to-register moves the renamer eliminates are marked as moves") {
    const Classifier x86(Isa::x86_64);
    auto is_move = [&](std::vector<std::uint8_t> bytes) {
        InsnRegisters regs;
        CHECK(x86.classify(as_bytes(bytes), 0, regs).size == bytes.size());
        return regs.is_move;
    };
    CHECK(is_move({0x0f, 0x28, 0xc8}));                   // movaps xmm1, xmm0
    CHECK(is_move({0x66, 0x0f, 0x6f, 0xc8}));             // movdqa xmm1, xmm0
    CHECK(is_move({0x48, 0x89, 0xd8}));                   // mov rax, rbx
    CHECK(is_move({0x89, 0xd8}));                         // mov eax, ebx
    CHECK_FALSE(is_move({0x88, 0xd8}));                   // mov al, bl: a partial write
    CHECK_FALSE(is_move({0xf3, 0x0f, 0x10, 0xc8}));       // movss xmm1, xmm0: merges into xmm1
    CHECK_FALSE(is_move({0x66, 0x48, 0x0f, 0x7e, 0xc0})); // movq rax, xmm0: between register files
    CHECK_FALSE(is_move({0x48, 0x8b, 0x03}));             // mov rax, [rbx]: a load
    CHECK_FALSE(is_move({0xb8, 0x01, 0x00, 0x00, 0x00})); // mov eax, 1
    CHECK_FALSE(is_move({0x0f, 0x5f, 0xc8}));             // maxps xmm1, xmm0
}

TEST_CASE("AArch64 bitfield moves read their sources, not their destination (capstone 4 says they do)") {
    const Classifier a64(Isa::aarch64);
    // Whether the instruction (one little-endian word) reads the register it writes.
    auto reads_destination = [&](std::uint32_t word) {
        const std::vector<std::uint8_t> bytes{static_cast<std::uint8_t>(word), static_cast<std::uint8_t>(word >> 8),
                                              static_cast<std::uint8_t>(word >> 16),
                                              static_cast<std::uint8_t>(word >> 24)};
        InsnRegisters regs;
        CHECK(a64.classify(as_bytes(bytes), 0, regs).size == 4);
        REQUIRE(regs.write_count == 1);
        bool reads = false;
        for (std::uint8_t i = 0; i < regs.read_count; ++i) reads = reads || regs.reads[i] == regs.writes[0];
        return reads;
    };
    CHECK_FALSE(reads_destination(0xd3486c43)); // ubfx x3, x2, #8, #20
    CHECK_FALSE(reads_destination(0x93486c43)); // sbfx x3, x2, #8, #20
    CHECK_FALSE(reads_destination(0xd37df043)); // lsl x3, x2, #3
    CHECK_FALSE(reads_destination(0xd343fc43)); // lsr x3, x2, #3
    CHECK_FALSE(reads_destination(0x93407c43)); // sxtw x3, w2
    CHECK_FALSE(reads_destination(0x53001c43)); // uxtb w3, w2
    CHECK(reads_destination(0xb37e4c43));       // bfi x3, x2, #2, #20: keeps x3's other bits
    CHECK(reads_destination(0xd37df063));       // lsl x3, x3, #3: its source is its destination
    CHECK(reads_destination(0xf2a00023));       // movk x3, #1, lsl #16
}
