// RV64GC decoder for classification; see riscv_decoder.hpp for why it is not capstone.
#include "riscv_decoder.hpp"

#include <array>

#include <fmt/format.h>

namespace simtune::riscv {

namespace {

constexpr std::array<std::string_view, 32> int_reg_names{
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
    "a6",   "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
constexpr std::array<std::string_view, 32> fp_reg_names{
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

constexpr std::uint32_t bits(std::uint32_t w, int hi, int lo) noexcept {
    return (w >> lo) & ((1u << (hi - lo + 1)) - 1u);
}

Decoded make(std::uint8_t size, std::uint32_t raw, std::string_view mnemonic, InsnClass cls, bool branch = false,
             bool conditional = false) noexcept {
    Decoded d;
    d.info.cls = cls;
    d.info.size = size;
    d.info.is_branch = branch;
    d.info.is_conditional = conditional;
    d.mnemonic = mnemonic;
    d.raw = raw;
    return d;
}

Decoded invalid(std::uint32_t raw) noexcept {
    Decoded d;
    d.raw = raw;
    d.mnemonic = "(invalid)";
    return d; // size 0
}

constexpr std::string_view fp_suffix(std::uint32_t fmt) noexcept {
    constexpr std::array<std::string_view, 4> s{"s", "d", "h", "q"};
    return s[fmt & 3];
}

// Mnemonics composed from a base and a format suffix need storage with static lifetime.
std::string_view fp_mnemonic(std::string_view base, std::uint32_t fmt) noexcept {
    // Enumerated once: the OP-FP and fused multiply-add names used below, for all four formats.
    static const auto table = [] {
        constexpr std::array<std::string_view, 18> bases{"fadd",   "fsub",   "fmul", "fdiv", "fsqrt", "fsgnj",
                                                         "fsgnjn", "fsgnjx", "fmin", "fmax", "fmadd", "fmsub",
                                                         "fnmsub", "fnmadd", "feq",  "flt",  "fle",   "fclass"};
        std::array<std::array<std::string, 4>, bases.size()> names;
        for (std::size_t b = 0; b < bases.size(); ++b)
            for (std::uint32_t f = 0; f < 4; ++f) names[b][f] = fmt::format("{}.{}", bases[b], fp_suffix(f));
        return std::pair{bases, names};
    }();
    for (std::size_t b = 0; b < table.first.size(); ++b)
        if (table.first[b] == base) return table.second[b][fmt & 3];
    return base;
}

Decoded decode32(std::uint32_t w) noexcept {
    const std::uint32_t opcode = bits(w, 6, 0);
    const std::uint32_t funct3 = bits(w, 14, 12);
    const std::uint32_t funct7 = bits(w, 31, 25);
    using enum InsnClass;
    switch (opcode) {
        case 0x03: { // LOAD
            constexpr std::array<std::string_view, 8> m{"lb", "lh", "lw", "ld", "lbu", "lhu", "lwu", ""};
            if (funct3 == 7) return invalid(w);
            return make(4, w, m[funct3], load);
        }
        case 0x07: { // LOAD-FP; widths 0/5/6/7 are the V extension's unit/strided/indexed loads
            constexpr std::array<std::string_view, 8> m{"vle8", "flh", "flw", "fld", "flq", "vle16", "vle32", "vle64"};
            return make(4, w, m[funct3], load);
        }
        case 0x23: { // STORE
            constexpr std::array<std::string_view, 4> m{"sb", "sh", "sw", "sd"};
            if (funct3 > 3) return invalid(w);
            return make(4, w, m[funct3], store);
        }
        case 0x27: { // STORE-FP
            constexpr std::array<std::string_view, 8> m{"vse8", "fsh", "fsw", "fsd", "fsq", "vse16", "vse32", "vse64"};
            return make(4, w, m[funct3], store);
        }
        case 0x63: { // BRANCH
            constexpr std::array<std::string_view, 8> m{"beq", "bne", "", "", "blt", "bge", "bltu", "bgeu"};
            if (funct3 == 2 || funct3 == 3) return invalid(w);
            return make(4, w, m[funct3], branch, true, true);
        }
        case 0x6f: return make(4, w, "jal", branch, true);
        case 0x67:
            if (funct3 != 0) return invalid(w);
            return make(4, w, "jalr", branch, true);
        case 0x37: return make(4, w, "lui", int_alu);
        case 0x17: return make(4, w, "auipc", int_alu);
        case 0x13: { // OP-IMM
            constexpr std::array<std::string_view, 8> m{"addi", "slli", "slti", "sltiu", "xori", "srli", "ori", "andi"};
            if (funct3 == 5 && bits(w, 31, 26) == 0x10) return make(4, w, "srai", int_alu);
            return make(4, w, m[funct3], int_alu); // shifts with other funct6 are bit-manip: still int_alu
        }
        case 0x1b: { // OP-IMM-32
            if (funct3 == 0) return make(4, w, "addiw", int_alu);
            if (funct3 == 1) return make(4, w, "slliw", int_alu);
            if (funct3 == 5) return make(4, w, funct7 == 0x20 ? "sraiw" : "srliw", int_alu);
            return invalid(w);
        }
        case 0x33: { // OP
            if (funct7 == 0x01) {
                constexpr std::array<std::string_view, 8> m{"mul", "mulh", "mulhsu", "mulhu",
                                                            "div", "divu", "rem",    "remu"};
                return make(4, w, m[funct3], mul_div);
            }
            if (funct7 == 0x20 && funct3 == 0) return make(4, w, "sub", int_alu);
            if (funct7 == 0x20 && funct3 == 5) return make(4, w, "sra", int_alu);
            constexpr std::array<std::string_view, 8> m{"add", "sll", "slt", "sltu", "xor", "srl", "or", "and"};
            return make(4, w, m[funct3], int_alu); // other funct7: bit-manipulation (Zb*), integer
        }
        case 0x3b: { // OP-32
            if (funct7 == 0x01) {
                constexpr std::array<std::string_view, 8> m{"mulw", "", "", "", "divw", "divuw", "remw", "remuw"};
                if (m[funct3].empty()) return invalid(w);
                return make(4, w, m[funct3], mul_div);
            }
            if (funct3 == 0) return make(4, w, funct7 == 0x20 ? "subw" : "addw", int_alu);
            if (funct3 == 1) return make(4, w, "sllw", int_alu);
            if (funct3 == 5) return make(4, w, funct7 == 0x20 ? "sraw" : "srlw", int_alu);
            return make(4, w, "(op-32)", int_alu);
        }
        case 0x43: return make(4, w, fp_mnemonic("fmadd", funct7 & 3), fp_scalar);
        case 0x47: return make(4, w, fp_mnemonic("fmsub", funct7 & 3), fp_scalar);
        case 0x4b: return make(4, w, fp_mnemonic("fnmsub", funct7 & 3), fp_scalar);
        case 0x4f: return make(4, w, fp_mnemonic("fnmadd", funct7 & 3), fp_scalar);
        case 0x53: { // OP-FP: every instruction here is scalar floating point (moves and conversions too)
            const std::uint32_t fmt = funct7 & 3;
            switch (funct7 >> 2) {
                case 0x00: return make(4, w, fp_mnemonic("fadd", fmt), fp_scalar);
                case 0x01: return make(4, w, fp_mnemonic("fsub", fmt), fp_scalar);
                case 0x02: return make(4, w, fp_mnemonic("fmul", fmt), fp_scalar);
                case 0x03: return make(4, w, fp_mnemonic("fdiv", fmt), fp_scalar);
                case 0x0b: return make(4, w, fp_mnemonic("fsqrt", fmt), fp_scalar);
                case 0x04:
                    return make(4, w,
                                fp_mnemonic(funct3 == 0   ? "fsgnj"
                                            : funct3 == 1 ? "fsgnjn"
                                                          : "fsgnjx",
                                            fmt),
                                fp_scalar);
                case 0x05: return make(4, w, fp_mnemonic(funct3 == 0 ? "fmin" : "fmax", fmt), fp_scalar);
                case 0x14:
                    return make(4, w, fp_mnemonic(funct3 == 2 ? "feq" : funct3 == 1 ? "flt" : "fle", fmt), fp_scalar);
                case 0x08:
                case 0x18:
                case 0x1a: return make(4, w, "fcvt", fp_scalar);
                case 0x1c: return make(4, w, funct3 == 1 ? fp_mnemonic("fclass", fmt) : "fmv.x", fp_scalar);
                case 0x1e: return make(4, w, "fmv.x2f", fp_scalar);
                default: return invalid(w);
            }
        }
        case 0x57: // OP-V: vsetvli/vsetivli/vsetvl configure (integer); the rest is vector compute
            if (funct3 == 7) return make(4, w, "vsetvl", int_alu);
            return make(4, w, "(op-v)", simd);
        case 0x2f: { // AMO
            if (funct3 != 2 && funct3 != 3) return invalid(w);
            const std::uint32_t funct5 = funct7 >> 2;
            const bool d = funct3 == 3;
            if (funct5 == 0x02) return make(4, w, d ? "lr.d" : "lr.w", load);
            if (funct5 == 0x03) return make(4, w, d ? "sc.d" : "sc.w", store);
            // Read-modify-write atomics compute on memory like x86 `add [m],r`: integer class.
            return make(4, w, d ? "amo.d" : "amo.w", int_alu);
        }
        case 0x0f: return make(4, w, funct3 == 1 ? "fence.i" : "fence", int_alu);
        case 0x73: {
            if (funct3 == 0) return make(4, w, bits(w, 31, 20) == 1 ? "ebreak" : "ecall", int_alu);
            return make(4, w, "csr", int_alu);
        }
        default: return invalid(w);
    }
}

Decoded decode16(std::uint32_t h) noexcept {
    using enum InsnClass;
    if (h == 0) return invalid(h); // the all-zero parcel is defined illegal
    const std::uint32_t quadrant = h & 3;
    const std::uint32_t funct3 = bits(h, 15, 13);
    const std::uint32_t rd = bits(h, 11, 7);
    const std::uint32_t rs2 = bits(h, 6, 2);
    const bool bit12 = bits(h, 12, 12) != 0;
    switch (quadrant) {
        case 0:
            switch (funct3) {
                case 0: return bits(h, 12, 5) == 0 ? invalid(h) : make(2, h, "c.addi4spn", int_alu);
                case 1: return make(2, h, "c.fld", load);
                case 2: return make(2, h, "c.lw", load);
                case 3: return make(2, h, "c.ld", load);
                case 5: return make(2, h, "c.fsd", store);
                case 6: return make(2, h, "c.sw", store);
                case 7: return make(2, h, "c.sd", store);
                default: return invalid(h);
            }
        case 1:
            switch (funct3) {
                case 0: return make(2, h, "c.addi", int_alu);
                case 1: return rd == 0 ? invalid(h) : make(2, h, "c.addiw", int_alu);
                case 2: return make(2, h, "c.li", int_alu);
                case 3: return make(2, h, rd == 2 ? "c.addi16sp" : "c.lui", int_alu);
                case 4: {
                    const std::uint32_t op = bits(h, 11, 10);
                    if (op == 0) return make(2, h, "c.srli", int_alu);
                    if (op == 1) return make(2, h, "c.srai", int_alu);
                    if (op == 2) return make(2, h, "c.andi", int_alu);
                    constexpr std::array<std::string_view, 8> m{"c.sub",  "c.xor",  "c.or", "c.and",
                                                                "c.subw", "c.addw", "",     ""};
                    const std::uint32_t sel = (bit12 ? 4u : 0u) | bits(h, 6, 5);
                    if (m[sel].empty()) return invalid(h);
                    return make(2, h, m[sel], int_alu);
                }
                case 5: return make(2, h, "c.j", branch, true);
                case 6: return make(2, h, "c.beqz", branch, true, true);
                case 7: return make(2, h, "c.bnez", branch, true, true);
            }
            break;
        case 2:
            switch (funct3) {
                case 0: return make(2, h, "c.slli", int_alu);
                case 1: return make(2, h, "c.fldsp", load);
                case 2: return rd == 0 ? invalid(h) : make(2, h, "c.lwsp", load);
                case 3: return rd == 0 ? invalid(h) : make(2, h, "c.ldsp", load);
                case 4:
                    if (!bit12) {
                        if (rs2 != 0) return make(2, h, "c.mv", int_alu);
                        return rd == 0 ? invalid(h) : make(2, h, "c.jr", branch, true);
                    }
                    if (rd == 0 && rs2 == 0) return make(2, h, "c.ebreak", int_alu);
                    if (rs2 == 0) return make(2, h, "c.jalr", branch, true);
                    return make(2, h, "c.add", int_alu);
                case 5: return make(2, h, "c.fsdsp", store);
                case 6: return make(2, h, "c.swsp", store);
                case 7: return make(2, h, "c.sdsp", store);
            }
            break;
        default: break;
    }
    return invalid(h);
}

std::int64_t sign_extend(std::uint32_t value, int bit_count) noexcept {
    const std::uint32_t m = 1u << (bit_count - 1);
    return static_cast<std::int64_t>(static_cast<std::int32_t>((value ^ m) - m));
}

} // namespace

Decoded decode(std::span<const std::byte> bytes) noexcept {
    if (bytes.size() < 2) return invalid(0);
    const std::uint32_t low =
        std::to_integer<std::uint32_t>(bytes[0]) | (std::to_integer<std::uint32_t>(bytes[1]) << 8);
    if ((low & 3) != 3) return decode16(low);
    if ((low & 0x1c) == 0x1c) return invalid(low); // 48-bit and longer encodings: none in RV64GC
    if (bytes.size() < 4) return invalid(low);
    const std::uint32_t w =
        low | (std::to_integer<std::uint32_t>(bytes[2]) << 16) | (std::to_integer<std::uint32_t>(bytes[3]) << 24);
    return decode32(w);
}

std::string disassemble(const Decoded& d, std::uint64_t address) {
    if (d.info.size == 0) return fmt::format("(undecodable: {:04x})", d.raw);
    if (d.info.size == 2) return fmt::format("{} (0x{:04x})", d.mnemonic, d.raw);
    const std::uint32_t w = d.raw;
    const auto rd = bits(w, 11, 7), rs1 = bits(w, 19, 15), rs2 = bits(w, 24, 20);
    const auto x = [](std::uint32_t r) { return int_reg_names[r]; };
    const auto f = [](std::uint32_t r) { return fp_reg_names[r]; };
    const std::int64_t imm_i = sign_extend(bits(w, 31, 20), 12);
    const std::int64_t imm_s = sign_extend((bits(w, 31, 25) << 5) | bits(w, 11, 7), 12);
    switch (bits(w, 6, 0)) {
        case 0x03: return fmt::format("{} {},{}({})", d.mnemonic, x(rd), imm_i, x(rs1));
        case 0x07: return fmt::format("{} {},{}({})", d.mnemonic, f(rd), imm_i, x(rs1));
        case 0x23: return fmt::format("{} {},{}({})", d.mnemonic, x(rs2), imm_s, x(rs1));
        case 0x27: return fmt::format("{} {},{}({})", d.mnemonic, f(rs2), imm_s, x(rs1));
        case 0x63: {
            const std::uint32_t b =
                (bits(w, 31, 31) << 12) | (bits(w, 7, 7) << 11) | (bits(w, 30, 25) << 5) | (bits(w, 11, 8) << 1);
            return fmt::format("{} {},{},{:x}", d.mnemonic, x(rs1), x(rs2),
                               address + static_cast<std::uint64_t>(sign_extend(b, 13)));
        }
        case 0x6f: {
            const std::uint32_t j =
                (bits(w, 31, 31) << 20) | (bits(w, 19, 12) << 12) | (bits(w, 20, 20) << 11) | (bits(w, 30, 21) << 1);
            return fmt::format("jal {},{:x}", x(rd), address + static_cast<std::uint64_t>(sign_extend(j, 21)));
        }
        case 0x67: return fmt::format("jalr {},{}({})", x(rd), imm_i, x(rs1));
        case 0x37:
        case 0x17: return fmt::format("{} {},0x{:x}", d.mnemonic, x(rd), bits(w, 31, 12));
        case 0x13:
        case 0x1b: return fmt::format("{} {},{},{}", d.mnemonic, x(rd), x(rs1), imm_i);
        case 0x33:
        case 0x3b: return fmt::format("{} {},{},{}", d.mnemonic, x(rd), x(rs1), x(rs2));
        case 0x43:
        case 0x47:
        case 0x4b:
        case 0x4f: return fmt::format("{} {},{},{},{}", d.mnemonic, f(rd), f(rs1), f(rs2), f(bits(w, 31, 27)));
        case 0x53:
            if (bits(w, 31, 27) <= 0x05) return fmt::format("{} {},{},{}", d.mnemonic, f(rd), f(rs1), f(rs2));
            return fmt::format("{} (0x{:08x})", d.mnemonic, w);
        default: return fmt::format("{} (0x{:08x})", d.mnemonic, w);
    }
}

void registers(const Decoded& insn, InsnRegisters& regs) noexcept {
    // Slots: x1..x31 (x0 is zero, x2 the stack pointer: none), f0..f31 at 32, v0..v31 at 64.
    const auto x = [&](std::uint32_t r, bool write) {
        if (r == 0 || r == 2) return;
        write ? regs.write(r) : regs.read(r);
    };
    const auto f = [&](std::uint32_t r, bool write) { write ? regs.write(32 + r) : regs.read(32 + r); };
    const auto v = [&](std::uint32_t r, bool write) { write ? regs.write(64 + r) : regs.read(64 + r); };
    const std::uint32_t w = insn.raw;
    regs.reads_memory = insn.info.cls == InsnClass::load;
    regs.writes_memory = insn.info.cls == InsnClass::store;
    if (insn.info.size == 4 && bits(w, 6, 0) == 0x2f && bits(w, 31, 27) != 2 && bits(w, 31, 27) != 3) // AMOs
        regs.reads_memory = regs.writes_memory = true;
    if (insn.info.size == 4 && (bits(w, 6, 0) == 0x07 || bits(w, 6, 0) == 0x27) &&
        (bits(w, 14, 12) == 0 || bits(w, 14, 12) >= 5)) // vector loads and stores make many accesses:
        regs.reads_memory = regs.writes_memory = false; // placed one per instruction, the rest would go astray
    if (insn.info.size == 2) {
        const std::uint32_t quadrant = w & 3, funct3 = bits(w, 15, 13);
        const std::uint32_t rd = bits(w, 11, 7), rs2 = bits(w, 6, 2);
        const std::uint32_t rdp = 8 + bits(w, 4, 2), rs1p = 8 + bits(w, 9, 7); // the 3-bit x8..x15 forms
        switch (quadrant) {
            case 0: // c.addi4spn rd'; loads rd',(rs1'); stores rs2',(rs1')
                if (funct3 == 0) x(rdp, true);
                else if (funct3 == 1) f(rdp, true), x(rs1p, false);
                else if (funct3 < 4) x(rdp, true), x(rs1p, false);
                else if (funct3 == 5) f(rdp, false), x(rs1p, false);
                else if (funct3 > 5) x(rdp, false), x(rs1p, false);
                return;
            case 1:
                if (funct3 == 0 || funct3 == 1) x(rd, false), x(rd, true); // c.addi, c.addiw
                else if (funct3 == 2 || funct3 == 3) x(rd, true);          // c.li, c.lui / c.addi16sp
                else if (funct3 == 4) {                                    // c.srli .. c.and, c.subw, c.addw
                    x(rs1p, false), x(rs1p, true);
                    if (bits(w, 11, 10) == 3) x(rdp, false);           // the register-register forms read rs2'
                } else if (funct3 == 6 || funct3 == 7) x(rs1p, false); // c.beqz, c.bnez (c.j reads nothing)
                return;
            case 2:
                if (funct3 == 0) x(rd, false), x(rd, true); // c.slli
                else if (funct3 == 1) f(rd, true);          // c.fldsp
                else if (funct3 == 2 || funct3 == 3) x(rd, true);
                else if (funct3 == 4) {
                    if (rs2 == 0) x(rd, false), x(1, bits(w, 12, 12) != 0);    // c.jr / c.jalr (writes ra)
                    else if (bits(w, 12, 12) == 0) x(rs2, false), x(rd, true); // c.mv
                    else x(rd, false), x(rs2, false), x(rd, true);             // c.add
                } else if (funct3 == 5) f(rs2, false);                         // c.fsdsp
                else x(rs2, false);                                            // c.swsp, c.sdsp
                return;
            default: return;
        }
    }
    const std::uint32_t opcode = bits(w, 6, 0), rd = bits(w, 11, 7), rs1 = bits(w, 19, 15), rs2 = bits(w, 24, 20);
    const std::uint32_t funct3 = bits(w, 14, 12), funct5 = bits(w, 31, 27);
    switch (opcode) {
        case 0x03: x(rs1, false), x(rd, true); return; // loads
        case 0x07:                                     // FP or vector loads
            x(rs1, false);
            (funct3 == 0 || funct3 >= 5) ? v(rd, true) : f(rd, true);
            return;
        case 0x23: x(rs1, false), x(rs2, false); return;
        case 0x27:
            x(rs1, false);
            (funct3 == 0 || funct3 >= 5) ? v(rd, false) : f(rs2, false); // vector stores: vs3 in rd's field
            return;
        case 0x63: return; // a predicted branch holds up nothing
        case 0x6f: x(rd, true); return;
        case 0x67: x(rd, true); return;
        case 0x37:
        case 0x17: x(rd, true); return;
        case 0x13:
        case 0x1b: x(rs1, false), x(rd, true); return;
        case 0x33:
        case 0x3b:
        case 0x2f: x(rs1, false), x(rs2, false), x(rd, true); return;
        case 0x43:
        case 0x47:
        case 0x4b:
        case 0x4f: f(rs1, false), f(rs2, false), f(funct5, false), f(rd, true); return;
        case 0x53:
            switch (funct5) {
                case 0x14: // feq/flt/fle: x <- f, f
                    f(rs1, false), f(rs2, false), x(rd, true);
                    return;
                case 0x18: f(rs1, false), x(rd, true); return; // fcvt.int.fmt
                case 0x1a: x(rs1, false), f(rd, true); return; // fcvt.fmt.int
                case 0x1c: f(rs1, false), x(rd, true); return; // fmv.x / fclass
                case 0x1e: x(rs1, false), f(rd, true); return; // fmv.fmt.x
                case 0x08:
                case 0x0b: f(rs1, false), f(rd, true); return; // fcvt between formats, fsqrt
                default: f(rs1, false), f(rs2, false), f(rd, true); return;
            }
        case 0x57:
            if (funct3 == 7) { // vsetvl*
                x(rs1, false), x(rd, true);
                return;
            }
            v(rs2, false);
            if (funct3 == 0 || funct3 == 1 || funct3 == 2) v(rs1, false); // .vv forms (OPIVV, OPFVV, OPMVV)
            else if (funct3 == 4 || funct3 == 6) x(rs1, false);           // .vx
            else if (funct3 == 5) f(rs1, false);                          // .vf
            if (const std::uint32_t funct6 = bits(w, 31, 26);
                (funct3 == 1 || funct3 == 2 || funct3 == 5 || funct3 == 6) &&
                ((funct6 >= 0x28 && funct6 <= 0x2f) || funct6 >= 0x3c))
                v(rd, false); // the multiply-accumulate forms read vd
            v(rd, true);
            return;
        default: return;
    }
}

} // namespace simtune::riscv
