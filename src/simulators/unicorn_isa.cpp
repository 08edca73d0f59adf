// The per-ISA facts of the Unicorn engine: see unicorn_isa.hpp.
#include "unicorn_isa.hpp"

#include "simtune/error.hpp"

namespace simtune::unicorn {

IsaConvention convention(Isa isa) {
    IsaConvention c{};
    c.isa = isa;
    switch (isa) {
        case Isa::x86_64:
            c.arch = UC_ARCH_X86;
            c.mode = UC_MODE_64;
            // Nehalem has SSE4.2 and POPCNT, i.e. the x86-64-v2 baseline host_x86_64() builds for
            // (though Unicorn 2.0.1 refuses POPCNT itself under every model: missing_extension).
            c.cpu_model = UC_CPU_X86_NEHALEM;
            c.pc = UC_X86_REG_RIP;
            c.sp = UC_X86_REG_RSP;
            c.link = -1;
            c.args = {
                UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_RDX, UC_X86_REG_RCX, UC_X86_REG_R8, UC_X86_REG_R9, 0, 0};
            c.register_args = 6;
            c.syscall_instruction = UC_X86_INS_SYSCALL;
            c.syscall_interrupts = {0x80}; // int 0x80
            c.syscall_interrupt_count = 1;
            c.undefined_instruction_interrupt = 6; // #UD
            c.interrupt_pc_is_trapping_instruction = true;
            return c;
        case Isa::aarch64:
            c.arch = UC_ARCH_ARM64;
            c.mode = UC_MODE_ARM;
            c.cpu_model = UC_CPU_ARM64_A72;
            c.pc = UC_ARM64_REG_PC;
            c.sp = UC_ARM64_REG_SP;
            c.link = UC_ARM64_REG_X30;
            c.args = {UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2, UC_ARM64_REG_X3,
                      UC_ARM64_REG_X4, UC_ARM64_REG_X5, UC_ARM64_REG_X6, UC_ARM64_REG_X7};
            c.register_args = 8;
            c.syscall_interrupts = {2}; // QEMU's EXCP_SWI (svc)
            c.syscall_interrupt_count = 1;
            c.undefined_instruction_interrupt = 1; // EXCP_UDEF
            return c;
        case Isa::riscv64:
            c.arch = UC_ARCH_RISCV;
            c.mode = UC_MODE_RISCV64;
            c.cpu_model = -1;
            c.pc = UC_RISCV_REG_PC;
            c.sp = UC_RISCV_REG_SP;
            c.link = UC_RISCV_REG_RA;
            c.args = {UC_RISCV_REG_A0, UC_RISCV_REG_A1, UC_RISCV_REG_A2, UC_RISCV_REG_A3,
                      UC_RISCV_REG_A4, UC_RISCV_REG_A5, UC_RISCV_REG_A6, UC_RISCV_REG_A7};
            c.register_args = 8;
            // mstatus.FS = dirty: without it the first FP instruction raises an exception.
            c.status_register = UC_RISCV_REG_MSTATUS;
            c.status_bits = 0x6000;
            // Linked code may address small data relative to gp.
            c.global_pointer = UC_RISCV_REG_GP;
            c.global_pointer_symbol = "__global_pointer$";
            c.syscall_interrupts = {8, 9, 11}; // ecall from U, S and M mode
            c.syscall_interrupt_count = 3;
            c.undefined_instruction_interrupt = 2; // illegal instruction
            return c;
    }
    fail(ErrorKind::invalid_argument, "unknown ISA");
}

std::uint32_t IsaConvention::instruction_size(std::byte first) const noexcept {
    switch (isa) {
        case Isa::aarch64: return 4;
        case Isa::riscv64: return (static_cast<unsigned>(first) & 3) == 3 ? 4 : 2; // the length encoding; also for RVV
        case Isa::x86_64: break;
    }
    return 0;
}

std::string_view IsaConvention::missing_extension(std::span<const std::byte> code) const noexcept {
    if (code.empty()) return {};
    const auto b = static_cast<unsigned>(code[0]);
    switch (isa) {
        case Isa::x86_64: {
            if (b == 0xc4 || b == 0xc5 || b == 0x62) // VEX and EVEX prefixes
                return "unsupported instruction: Unicorn's x86-64 has no AVX/AVX-512; build for x86-64-v2 (SSE4.2)";
            // POPCNT is F3 [66] [REX] 0F B8. It is part of x86-64-v2, which host_x86_64() builds for, and
            // GCC emits it for __builtin_popcount, but Unicorn 2.0.1 (Debian 12's) raises an invalid
            // instruction on it under every one of its 38 x86 CPU models (checked one by one;
            // unicorn-engine/unicorn#1880). QEMU user mode runs it.
            bool rep = false;
            std::size_t i = 0;
            for (; i < code.size(); ++i) {
                const auto p = static_cast<unsigned>(code[i]);
                if (p == 0xf3) rep = true;
                else if (p != 0x66 && (p & 0xf0) != 0x40) break;
            }
            if (rep && i + 1 < code.size() && code[i] == std::byte{0x0f} && code[i + 1] == std::byte{0xb8})
                return "unsupported instruction: Unicorn 2.0.1 does not execute POPCNT under any x86 CPU model "
                       "(unicorn-engine/unicorn#1880); simulate this kernel with QEMU (--simulator qemu), or build it "
                       "with -mno-popcnt and count bits with shifts and masks (with that flag __builtin_popcount "
                       "calls libgcc, outside the kernel)";
            break;
        }
        case Isa::riscv64: {
            const auto opcode = b & 0x7f; // OP-V, LOAD-FP and STORE-FP (vector loads and stores)
            if ((b & 3) == 3 && (opcode == 0x57 || opcode == 0x07 || opcode == 0x27))
                return "unsupported instruction: Unicorn's RISC-V has no vector extension (RVV)";
            break;
        }
        case Isa::aarch64: break;
    }
    return {};
}

} // namespace simtune::unicorn
