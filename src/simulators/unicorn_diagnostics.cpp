// Crash diagnostics of the Unicorn engine: a run that stopped before the kernel returned becomes an
// Error that names the address (with its symbol), the instruction (bytes and disassembly) and the
// reason, with a hint where one helps (a buffer overrun, a stack overflow, a missing extension).
#include <algorithm>
#include <span>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "simtune/error.hpp"
#include "simtune/interrupt.hpp"
#include "unicorn_engine.hpp"

namespace simtune::unicorn {

std::string Engine::where(std::uint64_t address) const {
    const std::string name = kernel_.symbol_at(address);
    if (name.empty()) return fmt::format("{:#x}", address);
    const auto sym = kernel_.symbol(name);
    return fmt::format("{:#x} ({}+{:#x})", address, name, address - (sym ? sym->address : address));
}

std::uint32_t Engine::instruction_size(std::uint64_t address, std::uint64_t limit) const {
    if (!in_image(address, 1) || limit <= address) return 0;
    if (const std::uint32_t size = conv_.instruction_size(*host(address))) return size;
    const std::span<const std::byte> bytes(host(address),
                                           std::min<std::uint64_t>(limit, layout_.image.end()) - address);
    return classifier_.classify(bytes, address).size;
}

std::span<const std::byte> Engine::instruction_bytes(std::uint64_t address) const {
    if (!in_image(address, 1)) return {};
    return {host(address), static_cast<std::size_t>(std::min<std::uint64_t>(15, layout_.image.end() - address))};
}

std::string Engine::instruction_at(std::uint64_t address) const {
    const auto bytes = instruction_bytes(address);
    if (bytes.empty()) return "(outside the binary)";
    const std::uint32_t size = instruction_size(address, address + bytes.size());
    const std::size_t shown = size ? size : std::min<std::size_t>(4, bytes.size());
    std::string hex;
    for (std::size_t i = 0; i < shown; ++i)
        hex += fmt::format("{}{:02x}", i ? " " : "", static_cast<unsigned>(bytes[i]));
    return fmt::format("[{}] '{}'", hex, classifier_.disassemble(bytes, address));
}

std::uint64_t Engine::trapping_instruction(std::uint64_t pc) const {
    // x86-64 reports the trapping instruction itself. AArch64 and RISC-V report the address after
    // it: walk the last block from its start (an instruction boundary) to the one that ends at pc.
    if (conv_.interrupt_pc_is_trapping_instruction) return pc;
    std::uint64_t at = last_block();
    while (at < pc && at != 0) {
        const std::uint32_t n = instruction_size(at, pc);
        if (n == 0) break;
        if (at + n == pc) return at;
        at += n;
    }
    return pc - 4;
}

std::string Engine::buffer_hint(std::uint64_t address) const {
    const auto& specs = kernel_.buffers();
    for (std::size_t i = 0; i < layout_.buffers.size(); ++i) {
        const auto& b = layout_.buffers[i];
        if (address >= b.address + b.bytes && address < b.address + b.mapped + page_size)
            return fmt::format(" ({} bytes past the end of buffer '{}')", address - b.address - b.bytes, specs[i].name);
        if (address < b.address && address + page_size >= b.address)
            return fmt::format(" ({} bytes before buffer '{}')", b.address - address, specs[i].name);
    }
    if (address >= layout_.image.end() && address < layout_.stack.address)
        return fmt::format(" (below the {}-byte stack: raise UnicornOptions::stack_bytes)", layout_.stack.bytes);
    if (address < page_size) return " (a null pointer)";
    return "";
}

std::string Engine::block_listing(std::uint64_t start) const {
    // Unicorn reports a memory fault with the PC of the block's start, not of the instruction.
    const std::uint64_t end = start == last_block() && last_block_size() ? start + last_block_size() : start + 1;
    std::string out;
    std::uint64_t at = start;
    for (int i = 0; i < 8 && at < end; ++i) {
        const std::uint32_t n = instruction_size(at, at + instruction_bytes(at).size());
        if (n == 0) break;
        out += fmt::format("{}{}", i ? "; " : "", classifier_.disassemble(std::span<const std::byte>(host(at), n), at));
        at += n;
    }
    if (at < end) out += "; ...";
    return out;
}

void Engine::report(uc_err err) {
    const std::string kernel_name = kernel_.path().filename().string();
    const auto isa = kernel_.isa();
    const auto prefix = fmt::format("{} on Unicorn ({})", kernel_name, isa);
    switch (stop_) {
        case Stop::instruction_limit:
            fail(ErrorKind::instruction_limit, "{}: exceeded the limit of {} instructions", prefix, max_instructions_);
        case Stop::time_limit:
            fail(ErrorKind::time_limit, "{}: exceeded the time limit of {} ms after {} instructions", prefix,
                 timeout_.count(), max_instructions_ - budget_);
        case Stop::cancelled:
            throw_if_interrupted(prefix.c_str());
            fail(ErrorKind::cancelled, "{}: interrupted", prefix);
        case Stop::left_code:
            fail(ErrorKind::simulation_fault,
                 "{}: control left the kernel's code [{:#x}, {:#x}) for {}: calls into libc or other code "
                 "outside the kernel's translation unit cannot be simulated",
                 prefix, code_lo_, code_hi_, where(fault_pc_));
        case Stop::bad_memory: {
            const bool unmapped = fault_type_ == UC_MEM_READ_UNMAPPED || fault_type_ == UC_MEM_WRITE_UNMAPPED ||
                                  fault_type_ == UC_MEM_FETCH_UNMAPPED;
            const bool fetch = fault_type_ == UC_MEM_FETCH_UNMAPPED || fault_type_ == UC_MEM_FETCH_PROT;
            const bool read = fault_type_ == UC_MEM_READ_UNMAPPED || fault_type_ == UC_MEM_READ_PROT;
            if (fetch)
                fail(ErrorKind::simulation_fault, "{}: jump to {} address {}: control left the binary's code", prefix,
                     unmapped ? "unmapped" : "non-executable", where(fault_address_));
            fail(ErrorKind::simulation_fault,
                 "{}: {} {} of {} bytes at {:#x}{} by an instruction of the block at {}: {}", prefix,
                 unmapped ? "unmapped" : "protected", read ? "read" : "write", fault_size_, fault_address_,
                 buffer_hint(fault_address_), where(fault_pc_), block_listing(fault_pc_));
        }
        case Stop::syscall:
        case Stop::interrupt: {
            const std::uint64_t at = stop_ == Stop::syscall ? fault_pc_ : trapping_instruction(fault_pc_);
            const bool is_syscall = stop_ == Stop::syscall || conv_.is_syscall_interrupt(interrupt_);
            if (interrupt_ == conv_.undefined_instruction_interrupt) invalid_instruction(at);
            const std::string reason =
                is_syscall ? "a system call (kernels run without an operating system, so they cannot make one)"
                           : fmt::format("CPU exception {}", interrupt_);
            fail(ErrorKind::simulation_fault, "{}: {} at {} {}", prefix, reason, where(at), instruction_at(at));
        }
        case Stop::exception: {
            auto pending = std::exchange(pending_, nullptr);
            std::rethrow_exception(pending);
        }
        case Stop::none: break;
    }
    if (err == UC_ERR_INSN_INVALID) invalid_instruction(read_pc());
    if (err != UC_ERR_OK)
        fail(ErrorKind::simulation_fault, "{}: {} at {} {}", prefix, uc_strerror(err), where(read_pc()),
             instruction_at(read_pc()));
    fail(ErrorKind::simulation_fault, "{}: stopped at {} before the kernel returned", prefix, where(read_pc()));
}

void Engine::cut_short_block(std::uint64_t address, std::uint32_t size) {
    // Unicorn ends a block at an instruction it cannot translate, with the size it read so far, so
    // the block's last bytes are part of an instruction: find the one that runs past the end. If
    // the bytes decode to a whole instruction there, it is a valid one Unicorn refused.
    const std::uint64_t end = address + size;
    for (std::uint64_t at = address; at < end;) {
        const std::uint32_t n = instruction_size(at, at + instruction_bytes(at).size());
        if (n == 0) return;
        if (at + n > end) invalid_instruction(at);
        at += n;
    }
}

void Engine::invalid_instruction(std::uint64_t at) {
    std::string why = "invalid or unsupported instruction";
    if (const auto code = instruction_bytes(at); !code.empty())
        if (const auto missing = conv_.missing_extension(code); !missing.empty()) why = missing;
    fail(ErrorKind::simulation_fault, "{} on Unicorn ({}): {} at {}: {}", kernel_.path().filename().string(),
         kernel_.isa(), instruction_at(at), where(at), why);
}

} // namespace simtune::unicorn
