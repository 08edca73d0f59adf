// Instruction classification with capstone 4.0.2 (x86-64, AArch64) and the project's own RV64GC
// decoder (capstone 4 has no RISC-V back end; see riscv_decoder.hpp).
//
// The rules, in the precedence of stats.hpp:
//   branch     capstone's jump/call/ret groups (plus AArch64 branch mnemonics, which capstone 4
//              does not always tag); conditional = x86 jcc/loop*/j*cxz, AArch64 b.<cond>/cbz/cbnz/
//              tbz/tbnz, RISC-V b* and c.beqz/c.bnez.
//   load/store pure data movement: the move instructions of every register file (x86 mov*, vmov*,
//              vbroadcast*, lddqu, push/pop, string moves; AArch64 ld*/st*; RISC-V loads/stores)
//              with a memory operand. Direction: a memory destination makes it a store.
//   simd       an operand in the vector register file used as a vector (x86 xmm/ymm/zmm with a
//              packed mnemonic, MMX; AArch64 v-registers with an arrangement or lane index), or a
//              SIMD/vector group instruction without a scalar-FP form.
//   fp_scalar  x86 scalar SSE/AVX (…ss/…sd forms, cvt to/from scalar), x87; AArch64 FP on s/d/h
//              registers (FPARMV8 group, f* mnemonics); RISC-V F/D.
//   mul_div    integer multiply and divide.
//   int_alu    the rest, including lea/adrp, register moves of the integer file, prefetches and
//              read-modify-write instructions on memory (their traffic shows in the memory counters).
// Register-to-register moves keep the class of their register file: movaps xmm0,xmm1 and
// mov v0.16b,v1.16b are simd, fmov d0,d1 and movss xmm0,xmm1 fp_scalar, mov rax,rbx int_alu.
#include "simtune/isa/classify.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <string_view>
#include <vector>

#include <capstone/capstone.h>
#include <fmt/format.h>

#include "riscv_decoder.hpp"
#include "simtune/error.hpp"

namespace simtune {

namespace {

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
    return std::ranges::any_of(prefixes, [&](std::string_view p) { return s.starts_with(p); });
}

bool in_group(const cs_detail& d, unsigned group) {
    return std::find(d.groups, d.groups + d.groups_count, group) != d.groups + d.groups_count;
}

bool any_control_group(const cs_detail& d) {
    return in_group(d, CS_GRP_JUMP) || in_group(d, CS_GRP_CALL) || in_group(d, CS_GRP_RET) || in_group(d, CS_GRP_IRET);
}

// ---- x86-64 --------------------------------------------------------------------------------------

bool x86_vector_reg(unsigned reg) {
    return (reg >= X86_REG_XMM0 && reg <= X86_REG_ZMM31) || (reg >= X86_REG_MM0 && reg <= X86_REG_MM7);
}
bool x86_x87_reg(unsigned reg) { return reg >= X86_REG_ST0 && reg <= X86_REG_ST7; }

/// Scalar floating point forms of SSE/AVX: addss/addsd, vfmadd231sd, cvtsi2sd, cvttss2si, comiss,
/// movss/movsd. Packed-integer mnemonics (p…, vp…) ending in "sd"/"ss" (pminsd, pabsd) are packed.
bool x86_scalar_fp_mnemonic(std::string_view m) {
    if (m.starts_with("p") || m.starts_with("vp") || m.find("broadcast") != std::string_view::npos) return false;
    return m.ends_with("ss") || m.ends_with("sd") || m.find("ss2") != std::string_view::npos ||
           m.find("sd2") != std::string_view::npos || m.find("si2s") != std::string_view::npos;
}

/// Data movement mnemonics: with a memory operand they are loads or stores.
bool x86_move_mnemonic(std::string_view m) {
    if (m.starts_with("movmsk") || m.starts_with("vmovmsk")) return false; // reg-only anyway
    return starts_with_any(m, {"mov", "vmov", "vbroadcast", "vpbroadcast", "lddqu", "vlddqu", "lods", "stos", "rep mov",
                               "rep stos", "rep lods"});
}

bool x86_mul_div(unsigned id) {
    switch (id) {
        case X86_INS_MUL:
        case X86_INS_IMUL:
        case X86_INS_DIV:
        case X86_INS_IDIV:
        case X86_INS_MULX: return true;
        default: return false;
    }
}

bool x86_conditional(unsigned id) {
    switch (id) {
        case X86_INS_JAE:
        case X86_INS_JA:
        case X86_INS_JBE:
        case X86_INS_JB:
        case X86_INS_JCXZ:
        case X86_INS_JECXZ:
        case X86_INS_JE:
        case X86_INS_JGE:
        case X86_INS_JG:
        case X86_INS_JLE:
        case X86_INS_JL:
        case X86_INS_JNE:
        case X86_INS_JNO:
        case X86_INS_JNP:
        case X86_INS_JNS:
        case X86_INS_JO:
        case X86_INS_JP:
        case X86_INS_JRCXZ:
        case X86_INS_JS:
        case X86_INS_LOOP:
        case X86_INS_LOOPE:
        case X86_INS_LOOPNE: return true;
        default: return false;
    }
}

InsnInfo classify_x86(const cs_insn& insn) {
    InsnInfo info;
    info.size = static_cast<std::uint8_t>(insn.size);
    const cs_detail& d = *insn.detail;
    const cs_x86& x = d.x86;
    const std::string_view m = insn.mnemonic;

    if (any_control_group(d) || x86_conditional(insn.id)) {
        info.cls = InsnClass::branch;
        info.is_branch = true;
        info.is_conditional = x86_conditional(insn.id);
        return info;
    }

    // Direction of a move: in Intel operand order the destination is operand 0. (capstone 4.0.2's
    // operand access flags are wrong for some VEX moves, e.g. `vmovups [rax],ymm0` reads READ.)
    bool mem = false, mem_destination = false, vector_reg = false, x87_reg = false;
    for (std::uint8_t i = 0; i < x.op_count; ++i) {
        const cs_x86_op& op = x.operands[i];
        if (op.type == X86_OP_MEM) {
            mem = true;
            mem_destination |= i == 0;
        } else if (op.type == X86_OP_REG) {
            vector_reg |= x86_vector_reg(op.reg);
            x87_reg |= x86_x87_reg(op.reg);
        }
    }
    if (insn.id == X86_INS_PUSH) {
        info.cls = InsnClass::store;
        return info;
    }
    if (insn.id == X86_INS_POP) {
        info.cls = InsnClass::load;
        return info;
    }
    if (mem && x86_move_mnemonic(m)) {
        info.cls = mem_destination ? InsnClass::store : InsnClass::load;
        return info;
    }
    const bool vector_group = in_group(d, X86_GRP_SSE1) || in_group(d, X86_GRP_SSE2) || in_group(d, X86_GRP_SSE3) ||
                              in_group(d, X86_GRP_SSSE3) || in_group(d, X86_GRP_SSE41) || in_group(d, X86_GRP_SSE42) ||
                              in_group(d, X86_GRP_SSE4A) || in_group(d, X86_GRP_AVX) || in_group(d, X86_GRP_AVX2) ||
                              in_group(d, X86_GRP_AVX512) || in_group(d, X86_GRP_FMA) || in_group(d, X86_GRP_FMA4) ||
                              in_group(d, X86_GRP_MMX) || in_group(d, X86_GRP_3DNOW) || in_group(d, X86_GRP_F16C) ||
                              in_group(d, X86_GRP_XOP) || in_group(d, X86_GRP_AES) || in_group(d, X86_GRP_SHA) ||
                              in_group(d, X86_GRP_PCLMUL);
    if (vector_group || vector_reg) {
        info.cls = x86_scalar_fp_mnemonic(m) ? InsnClass::fp_scalar : InsnClass::simd;
        return info;
    }
    if (in_group(d, X86_GRP_FPU) || x87_reg || m.starts_with("f")) {
        info.cls = InsnClass::fp_scalar;
        return info;
    }
    info.cls = x86_mul_div(insn.id) ? InsnClass::mul_div : InsnClass::int_alu;
    return info;
}

// ---- AArch64 -------------------------------------------------------------------------------------

bool a64_fp_reg(unsigned reg) { return reg >= ARM64_REG_B0 && reg <= ARM64_REG_S31; } // b/d/h/q/s
bool a64_v_reg(unsigned reg) { return reg >= ARM64_REG_V0 && reg <= ARM64_REG_V31; }

bool a64_conditional(std::string_view m) {
    return m.starts_with("b.") || m == "cbz" || m == "cbnz" || m == "tbz" || m == "tbnz";
}
bool a64_branch(std::string_view m) {
    return a64_conditional(m) || m == "b" || m == "bl" || m == "br" || m == "blr" || m == "ret" || m == "eret" ||
           m.starts_with("bra") || m.starts_with("blra") || m.starts_with("reta");
}
bool a64_mul_div(std::string_view m) {
    constexpr std::array<std::string_view, 16> names{"mul",    "madd",   "msub",   "mneg",   "smull",  "umull",
                                                     "smaddl", "umaddl", "smsubl", "umsubl", "smnegl", "umnegl",
                                                     "smulh",  "umulh",  "sdiv",   "udiv"};
    return std::ranges::find(names, m) != names.end();
}

InsnInfo classify_a64(const cs_insn& insn) {
    InsnInfo info;
    info.size = static_cast<std::uint8_t>(insn.size);
    const cs_detail& d = *insn.detail;
    const cs_arm64& a = d.arm64;
    const std::string_view m = insn.mnemonic;

    if (a64_branch(m) || any_control_group(d)) {
        info.cls = InsnClass::branch;
        info.is_branch = true;
        info.is_conditional = a64_conditional(m);
        return info;
    }
    bool mem = false, vector = false, fp = false;
    for (std::uint8_t i = 0; i < a.op_count; ++i) {
        const cs_arm64_op& op = a.operands[i];
        if (op.type == ARM64_OP_MEM) mem = true;
        if (op.vas != ARM64_VAS_INVALID || op.vector_index != -1) vector = true;
        if (op.type == ARM64_OP_REG) {
            vector |= a64_v_reg(op.reg);
            fp |= a64_fp_reg(op.reg);
        }
    }
    // ld1/ldr/ldp/ldur/ldxr/ldar… and st1/str/stp/stur/stxr/stlr…: every AArch64 instruction that
    // moves data between memory and registers is named ld*/st* (prfm is a hint, not a load).
    if (mem && m.starts_with("ld")) {
        info.cls = InsnClass::load;
        return info;
    }
    if (mem && m.starts_with("st")) {
        info.cls = InsnClass::store;
        return info;
    }
    if (vector) {
        info.cls = InsnClass::simd;
        return info;
    }
    if (fp || in_group(d, ARM64_GRP_FPARMV8) || m.starts_with("f")) {
        info.cls = InsnClass::fp_scalar;
        return info;
    }
    if (in_group(d, ARM64_GRP_NEON) || in_group(d, ARM64_GRP_CRYPTO)) {
        info.cls = InsnClass::simd;
        return info;
    }
    info.cls = a64_mul_div(m) ? InsnClass::mul_div : InsnClass::int_alu;
    return info;
}

// ---- Registers (for the dataflow collector) ------------------------------------------------------

constexpr std::uint8_t no_slot = 0xff;

/// Register slots of x86-64 (events.hpp, register_slots), by capstone's register name.
std::uint8_t x86_slot(std::string_view name) {
    constexpr std::array<std::array<std::string_view, 5>, 8> legacy{{{"rax", "eax", "ax", "al", "ah"},
                                                                     {"rcx", "ecx", "cx", "cl", "ch"},
                                                                     {"rdx", "edx", "dx", "dl", "dh"},
                                                                     {"rbx", "ebx", "bx", "bl", "bh"},
                                                                     {"", "", "", "", ""}, // rsp: renamed
                                                                     {"rbp", "ebp", "bp", "bpl", ""},
                                                                     {"rsi", "esi", "si", "sil", ""},
                                                                     {"rdi", "edi", "di", "dil", ""}}};
    for (std::size_t i = 0; i < legacy.size(); ++i)
        if (!name.empty() && std::ranges::find(legacy[i], name) != legacy[i].end()) return static_cast<std::uint8_t>(i);
    const auto number = [&](std::string_view prefix) -> int {
        if (!name.starts_with(prefix)) return -1;
        int n = 0;
        std::size_t i = prefix.size();
        if (i == name.size() || name[i] < '0' || name[i] > '9') return -1;
        for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) n = n * 10 + (name[i] - '0');
        const std::string_view rest = name.substr(i);
        // r8..r15 with their d/w/b forms; vector and mask registers have no suffix.
        if (!(rest.empty() || (prefix == "r" && (rest == "d" || rest == "w" || rest == "b")))) return -1;
        return n;
    };
    if (const int n = number("r"); n >= 8 && n < 16) return static_cast<std::uint8_t>(n);
    for (std::string_view v : {"xmm", "ymm", "zmm"})
        if (const int n = number(v); n >= 0 && n < 32) return static_cast<std::uint8_t>(16 + n);
    if (name == "eflags") return 48;
    if (const int n = number("k"); n >= 0 && n < 8) return static_cast<std::uint8_t>(56 + n);
    if (const int n = number("mm"); n >= 0 && n < 8) return static_cast<std::uint8_t>(64 + n);
    if (const int n = number("st"); n >= 0 && n < 8) return static_cast<std::uint8_t>(72 + n);
    return no_slot; // rip, rsp, segment and control registers, x87 status
}

/// Register slots of AArch64, by capstone's register name.
std::uint8_t a64_slot(std::string_view name) {
    if (name == "fp") return 29;
    if (name == "lr") return 30;
    if (name == "nzcv") return 64;
    if (name.size() < 2) return no_slot;
    int n = 0;
    for (std::size_t i = 1; i < name.size(); ++i) {
        if (name[i] < '0' || name[i] > '9') return no_slot;
        n = n * 10 + (name[i] - '0');
    }
    switch (name[0]) {
        case 'x':
        case 'w': return n <= 30 ? static_cast<std::uint8_t>(n) : no_slot;
        case 'b':
        case 'h':
        case 's':
        case 'd':
        case 'q':
        case 'v': return n < 32 ? static_cast<std::uint8_t>(32 + n) : no_slot;
        default: return no_slot; // sp, wsp, xzr, wzr, system registers
    }
}

/// Whether an x86 instruction reads and writes data memory: its memory operands (lea, nop and
/// prefetches name one without accessing it) and the stack accesses of push, pop, call and return.
void x86_memory_directions(const cs_insn& insn, InsnRegisters& regs) {
    switch (insn.id) {
        case X86_INS_LEA:
        case X86_INS_NOP:
        case X86_INS_PREFETCH:
        case X86_INS_PREFETCHNTA:
        case X86_INS_PREFETCHT0:
        case X86_INS_PREFETCHT1:
        case X86_INS_PREFETCHT2:
        case X86_INS_PREFETCHW: return;
        case X86_INS_PUSH:
        case X86_INS_PUSHFQ:
        case X86_INS_CALL: regs.writes_memory = true; return;
        case X86_INS_POP:
        case X86_INS_POPFQ:
        case X86_INS_RET:
        case X86_INS_LEAVE: regs.reads_memory = true; return;
        default: break;
    }
    const cs_x86& x = insn.detail->x86;
    for (std::uint8_t i = 0; i < x.op_count; ++i) {
        if (x.operands[i].type != X86_OP_MEM) continue;
        const std::uint8_t access = x.operands[i].access;
        if (access & CS_AC_WRITE) regs.writes_memory = true;
        if ((access & CS_AC_READ) || access == 0) regs.reads_memory = true;
    }
}

/// x86 idioms that write a register without reading it: xor/sub/pxor/xorps of a register with itself.
bool x86_zero_idiom(const cs_insn& insn) {
    const std::string_view m = insn.mnemonic;
    if (!(m.find("xor") != std::string_view::npos || m == "sub" || m.starts_with("psub") || m.starts_with("vpsub")))
        return false;
    const cs_x86& x = insn.detail->x86;
    if (x.op_count < 2) return false;
    for (std::uint8_t i = 0; i < x.op_count; ++i)
        if (x.operands[i].type != X86_OP_REG || x.operands[i].reg != x.operands[0].reg) return false;
    return true;
}

/// x86 register-to-register copies the renamer eliminates on current cores (Zen, and Intel since
/// Ivy Bridge): full-width moves between general registers (32 or 64 bits) or vector registers.
/// Not: partial writes (8/16 bits, movss/movsd between registers, which merge), moves between
/// register files (movd/movq), extensions (movzx/movsx).
bool x86_eliminated_move(const cs_insn& insn) {
    switch (insn.id) {
        case X86_INS_MOV:
        case X86_INS_MOVAPS:
        case X86_INS_MOVAPD:
        case X86_INS_MOVDQA:
        case X86_INS_MOVDQU:
        case X86_INS_MOVUPS:
        case X86_INS_MOVUPD:
        case X86_INS_VMOVAPS:
        case X86_INS_VMOVAPD:
        case X86_INS_VMOVDQA:
        case X86_INS_VMOVDQU:
        case X86_INS_VMOVUPS:
        case X86_INS_VMOVUPD: break;
        default: return false;
    }
    const cs_x86& x = insn.detail->x86;
    return x.op_count == 2 && x.operands[0].type == X86_OP_REG && x.operands[1].type == X86_OP_REG &&
           x.operands[0].size == x.operands[1].size && x.operands[0].size >= 4;
}

} // namespace

// ---- Classifier ----------------------------------------------------------------------------------

/// Capstone 4.0.2 is not safe for handles used in different threads until each architecture has
/// decoded once in the process: its first x86 decode with detail sorts a global table in place
/// (X86_insn_reg_intel: memcpy and qsort of insn_regs_intel_sorted, unsynchronised; capstone issue
/// #1647), and a thread that looks an instruction up meanwhile misses its implicit register
/// (`add eax, 1` then reads no eax). Measured: 7 of 300 fresh processes whose four threads each
/// decoded at once saw other registers (tests/classify_threads.cpp); a dataset's Unicorn
/// dataflow chain came out 3 % short. So cs_open is serialised and the first handle of each
/// architecture decodes one instruction under call_once before any other handle may decode.
/// The register slot of the destination of an AArch64 bitfield move that capstone wrongly lists
/// as read (see Classifier::Impl::classify), or no_slot: for UBFM/SBFM and their aliases, unless
/// a source operand is the same register (`lsl x3, x3, #2` does read x3).
template <class Slot>
unsigned a64_unread_destination(const cs_insn& insn, Slot&& slot) {
    static constexpr std::string_view moves[] = {"lsl",  "lsr",  "asr",  "sxtw",  "sxth",  "sxtb", "uxth",
                                                 "uxtb", "ubfx", "sbfx", "ubfiz", "sbfiz", "ubfm", "sbfm"};
    if (std::ranges::find(moves, std::string_view(insn.mnemonic)) == std::end(moves)) return no_slot;
    const cs_arm64& a = insn.detail->arm64;
    if (a.op_count < 2 || a.operands[0].type != ARM64_OP_REG) return no_slot;
    const unsigned destination = slot(static_cast<std::uint16_t>(a.operands[0].reg));
    for (std::uint8_t i = 1; i < a.op_count; ++i)
        if (a.operands[i].type == ARM64_OP_REG && slot(static_cast<std::uint16_t>(a.operands[i].reg)) == destination)
            return no_slot;
    return destination;
}

static void open_capstone(cs_arch arch, cs_mode mode, csh& handle, Isa isa) {
    static std::mutex opening;
    static std::once_flag first_x86, first_a64;
    std::lock_guard lock(opening);
    if (cs_err err = cs_open(arch, mode, &handle); err != CS_ERR_OK)
        fail(ErrorKind::invalid_argument, "capstone cannot open a {} disassembler: {}", isa, cs_strerror(err));
    cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
    std::call_once(arch == CS_ARCH_X86 ? first_x86 : first_a64, [&] {
        // add eax, 1 / add x0, x0, #1: decoded with detail, which is what fills the tables.
        static constexpr std::uint8_t x86_add[] = {0x05, 1, 0, 0, 0};
        static constexpr std::uint8_t a64_add[] = {0x00, 0x04, 0x00, 0x91};
        cs_insn* insn = nullptr;
        const std::size_t n = arch == CS_ARCH_X86 ? cs_disasm(handle, x86_add, sizeof x86_add, 0, 1, &insn)
                                                  : cs_disasm(handle, a64_add, sizeof a64_add, 0, 1, &insn);
        if (n != 0) {
            cs_regs reads, writes;
            std::uint8_t read_count = 0, write_count = 0;
            cs_regs_access(handle, insn, reads, &read_count, writes, &write_count);
            cs_free(insn, n);
        }
    });
}

struct Classifier::Impl {
    Isa isa;
    csh handle = 0;
    cs_insn* insn = nullptr; ///< reused buffer for cs_disasm_iter

    std::vector<std::uint8_t> slots; ///< register slot by capstone register id

    explicit Impl(Isa i) : isa(i) {
        if (isa == Isa::riscv64) return; // own decoder
        const cs_arch arch = isa == Isa::x86_64 ? CS_ARCH_X86 : CS_ARCH_ARM64;
        const cs_mode mode = isa == Isa::x86_64 ? CS_MODE_64 : CS_MODE_LITTLE_ENDIAN;
        open_capstone(arch, mode, handle, isa);
        insn = cs_malloc(handle);
        if (!insn) {
            cs_close(&handle);
            fail(ErrorKind::invalid_argument, "capstone could not allocate an instruction buffer");
        }
        const unsigned ending =
            isa == Isa::x86_64 ? static_cast<unsigned>(X86_REG_ENDING) : static_cast<unsigned>(ARM64_REG_ENDING);
        slots.assign(ending, no_slot);
        for (unsigned id = 1; id < ending; ++id)
            if (const char* name = cs_reg_name(handle, id))
                slots[id] = isa == Isa::x86_64 ? x86_slot(name) : a64_slot(name);
    }
    ~Impl() {
        if (insn) cs_free(insn, 1);
        if (handle) cs_close(&handle);
    }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    /// Decodes one instruction into `insn`; false if the bytes do not decode.
    bool decode(std::span<const std::byte> bytes, std::uint64_t address) const {
        const auto* code = reinterpret_cast<const std::uint8_t*>(bytes.data());
        std::size_t size = bytes.size();
        std::uint64_t addr = address;
        return cs_disasm_iter(handle, &code, &size, &addr, insn);
    }

    InsnInfo classify(std::span<const std::byte> bytes, std::uint64_t address) const {
        if (isa == Isa::riscv64) return riscv::decode(bytes).info;
        if (bytes.empty() || !decode(bytes, address)) return {};
        return isa == Isa::x86_64 ? classify_x86(*insn) : classify_a64(*insn);
    }

    /// Classifies and, into `regs`, lists the registers read and written.
    InsnInfo classify(std::span<const std::byte> bytes, std::uint64_t address, InsnRegisters& regs) const {
        regs = InsnRegisters{};
        regs.address = address;
        if (isa == Isa::riscv64) {
            const riscv::Decoded d = riscv::decode(bytes);
            regs.cls = d.info.cls;
            if (d.info.size) riscv::registers(d, regs);
            return d.info;
        }
        if (bytes.empty() || !decode(bytes, address)) return {};
        const InsnInfo info = isa == Isa::x86_64 ? classify_x86(*insn) : classify_a64(*insn);
        regs.cls = info.cls;
        cs_regs read{}, written{};
        std::uint8_t read_count = 0, write_count = 0;
        if (cs_regs_access(handle, insn, read, &read_count, written, &write_count) != CS_ERR_OK) return info;
        const bool zeroing = isa == Isa::x86_64 && x86_zero_idiom(*insn);
        const auto slot = [&](std::uint16_t id) { return id < slots.size() ? slots[id] : no_slot; };
        // Capstone 4 lists the destination of AArch64's bitfield moves (UBFM and SBFM, and their
        // aliases lsl/lsr/asr by an immediate, sxtw, uxtb, ubfx, ...) as read, as if they were
        // BFM (bfi, bfxil), which keeps the destination's other bits. They do not: `ubfx x3, x2`
        // after `ldr w3, [x0, x3]` made every iteration of an index computation wait for the last
        // load (a chain no core has; the dataflow walk with memory then waited for every miss).
        const unsigned unread = isa == Isa::aarch64 ? a64_unread_destination(*insn, slot) : no_slot;
        if (!zeroing && !info.is_branch) // a predicted branch holds up nothing that follows it
            for (std::uint8_t i = 0; i < read_count; ++i)
                if (slot(read[i]) != unread) regs.read(slot(read[i]));
        for (std::uint8_t i = 0; i < write_count; ++i) regs.write(slot(written[i]));
        if (isa == Isa::x86_64) {
            x86_memory_directions(*insn, regs);
            regs.is_move = x86_eliminated_move(*insn);
        } else {
            regs.reads_memory = info.cls == InsnClass::load;
            regs.writes_memory = info.cls == InsnClass::store;
        }
        return info;
    }
};

Classifier::Classifier(Isa isa) : impl_(std::make_unique<Impl>(isa)) {}
Classifier::~Classifier() = default;
Classifier::Classifier(Classifier&&) noexcept = default;
Classifier& Classifier::operator=(Classifier&&) noexcept = default;

Isa Classifier::isa() const noexcept { return impl_->isa; }

InsnInfo Classifier::classify(std::span<const std::byte> bytes, std::uint64_t address) const {
    return impl_->classify(bytes, address);
}

std::string Classifier::disassemble(std::span<const std::byte> bytes, std::uint64_t address) const {
    const auto undecodable = [&] {
        std::string text = "(undecodable:";
        for (std::byte b : bytes.first(std::min<std::size_t>(bytes.size(), 8)))
            text += fmt::format(" {:02x}", std::to_integer<unsigned>(b));
        return text + ")";
    };
    if (impl_->isa == Isa::riscv64) {
        const riscv::Decoded d = riscv::decode(bytes);
        return d.info.size ? riscv::disassemble(d, address) : undecodable();
    }
    if (bytes.empty() || !impl_->decode(bytes, address)) return undecodable();
    const cs_insn& insn = *impl_->insn;
    return insn.op_str[0] ? fmt::format("{} {}", insn.mnemonic, insn.op_str) : std::string(insn.mnemonic);
}

InsnInfo Classifier::classify(std::span<const std::byte> bytes, std::uint64_t address, InsnRegisters& registers) const {
    return impl_->classify(bytes, address, registers);
}

DecodedBlock Classifier::decode_block(std::span<const std::byte> code, std::uint64_t address,
                                      std::size_t max_instructions, bool with_registers) const {
    DecodedBlock block;
    block.address = address;
    std::size_t offset = 0;
    std::vector<InsnRegisters> registers;
    while (block.instructions < max_instructions && offset < code.size()) {
        InsnRegisters regs;
        const InsnInfo info = with_registers ? impl_->classify(code.subspan(offset), address + offset, regs)
                                             : impl_->classify(code.subspan(offset), address + offset);
        if (info.size == 0)
            fail(ErrorKind::simulation_fault, "undecodable {} instruction at 0x{:x}: {}", impl_->isa, address + offset,
                 disassemble(code.subspan(offset), address + offset));
        ++block.instructions;
        ++block.class_counts[static_cast<std::size_t>(info.cls)];
        if (with_registers) registers.push_back(regs);
        offset += info.size;
        if (info.is_branch) {
            block.ends_in_branch = true;
            block.branch_is_conditional = info.is_conditional;
            break;
        }
    }
    block.end = address + offset;
    if (with_registers) block.registers = std::make_shared<const std::vector<InsnRegisters>>(std::move(registers));
    return block;
}

} // namespace simtune
