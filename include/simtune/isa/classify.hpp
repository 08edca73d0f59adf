#pragma once
// Instruction classification, shared by both simulators (and the QEMU plugin): each instruction is
// decoded once with capstone when its block is first translated, and the block's class histogram
// is kept, so executing a block costs a histogram addition, not a decode.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "simtune/events.hpp"
#include "simtune/stats.hpp"
#include "simtune/target.hpp"

namespace simtune {

/// What classification says of one instruction.
struct InsnInfo {
    InsnClass cls = InsnClass::int_alu;
    std::uint8_t size = 0;       ///< bytes; 0 if the bytes do not decode
    bool is_branch = false;      ///< any control transfer (jump, call, return, conditional)
    bool is_conditional = false; ///< a conditional branch (may fall through)
};

/// Decodes and classifies instructions of one ISA. Owns a capstone handle: not thread-safe, so use
/// one Classifier per thread (they are cheap to create).
class Classifier {
public:
    explicit Classifier(Isa isa);
    ~Classifier();
    Classifier(Classifier&&) noexcept;
    Classifier& operator=(Classifier&&) noexcept;
    Classifier(const Classifier&) = delete;
    Classifier& operator=(const Classifier&) = delete;

    [[nodiscard]] Isa isa() const noexcept;
    /// Classifies the instruction at the start of `bytes`; size 0 if it does not decode.
    [[nodiscard]] InsnInfo classify(std::span<const std::byte> bytes, std::uint64_t address) const;
    /// The same, and the registers the instruction reads and writes into `registers` (its slots,
    /// events.hpp; none if the ISA's decoder cannot say).
    InsnInfo classify(std::span<const std::byte> bytes, std::uint64_t address, InsnRegisters& registers) const;
    /// "mnemonic operands" of the instruction at the start of `bytes`, or "(undecodable: xx xx ..)".
    [[nodiscard]] std::string disassemble(std::span<const std::byte> bytes, std::uint64_t address) const;
    /// Decodes `code` (a translated block starting at `address`) into its histogram. Decoding
    /// stops after `max_instructions`, at the end of `code`, or after the first branch. Bytes that
    /// do not decode throw Error(simulation_fault) naming the address and the bytes (callers that
    /// must not throw, like the QEMU plugin's C callbacks, catch it or use classify() directly).
    ///
    /// Coverage: x86-64 and AArch64 through capstone 4.0.2 (which lacks e.g. AArch64 MTE and some
    /// AVX-512 mask moves: they decode as size 0); RV64GC (+ V opcodes) through the project's own
    /// decoder, because capstone 4.0.2 has no RISC-V back end.
    /// With `with_registers`, the block also lists its instructions' registers
    /// (DecodedBlock::registers, for the dataflow collector).
    [[nodiscard]] DecodedBlock decode_block(std::span<const std::byte> code, std::uint64_t address,
                                            std::size_t max_instructions = SIZE_MAX, bool with_registers = false) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace simtune
