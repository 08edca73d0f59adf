#pragma once
// What differs between the ISAs on Unicorn: engine mode, registers, calling convention, the
// registers set up once per engine, and the numbers and conventions of traps. Everything
// ISA-specific the Unicorn engine and its diagnostics need comes from here.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <unicorn/unicorn.h>

#include "simtune/target.hpp"

namespace simtune::unicorn {

struct IsaConvention {
    Isa isa;
    uc_arch arch;
    uc_mode mode;
    int cpu_model; ///< passed to uc_ctl_set_cpu_model; -1 keeps Unicorn's default
    int pc;
    int sp;
    int link; ///< the return-address register; -1 when `call` pushes the return address on the stack
    std::array<int, 8> args;
    std::size_t register_args;

    // Set once per engine, before the snapshot every run starts from.
    int status_register = -1; ///< a register to OR `status_bits` into; -1 for none
    std::uint64_t status_bits = 0;
    int global_pointer = -1; ///< set to the address of `global_pointer_symbol` if the binary has it
    const char* global_pointer_symbol = nullptr;

    // Traps.
    int syscall_instruction = -1; ///< a UC_HOOK_INSN instruction that makes a system call; -1 for none
    std::array<std::uint32_t, 3> syscall_interrupts{}; ///< UC_HOOK_INTR numbers of system calls...
    std::size_t syscall_interrupt_count = 0;           ///< ...the first this many entries
    std::uint32_t undefined_instruction_interrupt = 0; ///< the UC_HOOK_INTR number of an undefined instruction
    /// The PC an interrupt reports is the trapping instruction's (x86-64) rather than the next one's.
    bool interrupt_pc_is_trapping_instruction = false;

    [[nodiscard]] bool is_syscall_interrupt(std::uint32_t number) const noexcept {
        for (std::size_t i = 0; i < syscall_interrupt_count; ++i)
            if (syscall_interrupts[i] == number) return true;
        return false;
    }
    /// The size of the instruction whose first byte is `first` when the encoding tells it without
    /// decoding (every AArch64 instruction is 4 bytes; RISC-V's low two bits give 2 or 4); 0 when it
    /// must be decoded (x86-64).
    [[nodiscard]] std::uint32_t instruction_size(std::byte first) const noexcept;
    /// Why Unicorn refused the instruction whose bytes start `code`, when its encoding shows it needs
    /// something Unicorn lacks (x86-64: VEX/EVEX, i.e. AVX, and POPCNT, which Debian's Unicorn 2.0.1
    /// rejects under every CPU model; RISC-V: the vector extension); empty otherwise.
    [[nodiscard]] std::string_view missing_extension(std::span<const std::byte> code) const noexcept;
};

/// Throws Error(invalid_argument) for an ISA Unicorn is not set up for.
IsaConvention convention(Isa isa);

} // namespace simtune::unicorn
