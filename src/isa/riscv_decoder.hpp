#pragma once
// RV64GC instruction decoder for classification (internal to src/isa).
//
// Why hand-written: the project's disassembler, capstone 4.0.2 (Debian 12), has no RISC-V back end
// at all (RISC-V arrived in capstone 5; there is no CS_ARCH_RISCV in 4.0.2's headers). RISC-V's
// encoding is regular enough that classification needs only the major opcode and a few funct
// fields, so this decoder covers RV64I, M, A, F, D (+ Zfh/Q loads and stores), the C extension
// (compressed 16-bit forms, which -march=rv64gc code is full of) and recognises the V extension's
// major opcodes (OP-V as simd, vector loads/stores) for kernels that use RVV via inline assembly.
// Encodings that are reserved in RV64GC decode as size 0.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "simtune/isa/classify.hpp"

namespace simtune::riscv {

struct Decoded {
    InsnInfo info;             ///< size 0 if undecodable
    std::string_view mnemonic; ///< objdump's no-alias mnemonic ("c.addi", "fmadd.s", ...)
    std::uint32_t raw = 0;     ///< the instruction bits (16 or 32 of them)
};

/// Decodes the instruction at the start of `bytes` (little-endian).
Decoded decode(std::span<const std::byte> bytes) noexcept;

/// The registers `insn` (decoded, size != 0) reads and writes, as slots (events.hpp): x1..x31
/// (no zero register, no stack pointer), f0..f31 from 32, v0..v31 from 64.
void registers(const Decoded& insn, InsnRegisters& regs) noexcept;

/// "mnemonic operands" in the style of `objdump -M no-aliases` for the 32-bit formats; compressed
/// instructions print their mnemonic and raw bits. Branch targets are absolute (from `address`).
std::string disassemble(const Decoded& insn, std::uint64_t address);

} // namespace simtune::riscv
