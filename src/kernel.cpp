// KernelBinary: reading and validating kernel executables; the buffer-spec string; the buffer
// initialisation shared with the harness.
#include "simtune/kernel.hpp"

#include <elf.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>

#include "simtune/error.hpp"
#include "simtune/util.hpp"

#include "elf_reader.hpp"

namespace simtune {

std::string_view to_string(ElemType t) noexcept {
    switch (t) {
        case ElemType::f32: return "f32";
        case ElemType::f64: return "f64";
        case ElemType::i32: return "i32";
        case ElemType::i8: return "i8";
    }
    return "?";
}

std::string_view to_string(BufferRole r) noexcept {
    switch (r) {
        case BufferRole::input: return "in";
        case BufferRole::output: return "out";
        case BufferRole::inout: return "inout";
    }
    return "?";
}

namespace {

bool is_identifier(std::string_view s) {
    if (s.empty() || s.size() > 63 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::ranges::all_of(s, [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

} // namespace

std::string format_buffer_spec(std::span<const BufferSpec> buffers) {
    std::string out;
    for (const auto& b : buffers) {
        if (!out.empty()) out += ';';
        out += fmt::format("{}:{}:{}:{}", b.name, to_string(b.type), b.count, to_string(b.role));
    }
    return out;
}

std::vector<BufferSpec> parse_buffer_spec(std::string_view text) {
    std::vector<BufferSpec> out;
    if (text.empty()) fail(ErrorKind::invalid_argument, "empty buffer spec: a kernel needs at least one buffer");
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find(';', start), text.size());
        const std::string_view item = text.substr(start, end - start);
        std::string_view fields[4];
        std::size_t n = 0, pos = 0;
        while (n < 4) {
            const auto colon = item.find(':', pos);
            fields[n++] = item.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos);
            if (colon == std::string_view::npos) break;
            pos = colon + 1;
        }
        if (n != 4 || item.find(':', pos) != std::string_view::npos)
            fail(ErrorKind::invalid_argument, "buffer '{}': expected name:type:count:role", item);
        BufferSpec b;
        b.name = std::string(fields[0]);
        if (!is_identifier(b.name)) fail(ErrorKind::invalid_argument, "buffer '{}': name must be a C identifier", item);
        if (fields[1] == "f32") b.type = ElemType::f32;
        else if (fields[1] == "f64") b.type = ElemType::f64;
        else if (fields[1] == "i32") b.type = ElemType::i32;
        else if (fields[1] == "i8") b.type = ElemType::i8;
        else
            fail(ErrorKind::invalid_argument, "buffer '{}': unknown element type '{}' (f32, f64, i32, i8)", b.name,
                 fields[1]);
        auto [ptr, ec] = std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), b.count);
        if (ec != std::errc{} || ptr != fields[2].data() + fields[2].size() || b.count == 0)
            fail(ErrorKind::invalid_argument, "buffer '{}': count '{}' is not a positive integer", b.name, fields[2]);
        if (b.count > (std::uint64_t{1} << 32))
            fail(ErrorKind::invalid_argument, "buffer '{}': {} elements is more than simtune supports (2^32)", b.name,
                 b.count);
        if (fields[3] == "in") b.role = BufferRole::input;
        else if (fields[3] == "out") b.role = BufferRole::output;
        else if (fields[3] == "inout") b.role = BufferRole::inout;
        else fail(ErrorKind::invalid_argument, "buffer '{}': unknown role '{}' (in, out, inout)", b.name, fields[3]);
        out.push_back(std::move(b));
        if (end == text.size()) break;
        start = end + 1;
    }
    if (out.size() > 16) fail(ErrorKind::invalid_argument, "{} buffers: a kernel takes at most 16", out.size());
    return out;
}

namespace {
// Must match element_hash() in src/harness/simtune_harness.c bit for bit.
std::uint32_t element_hash(std::uint32_t buffer, std::uint64_t i) {
    std::uint32_t h = static_cast<std::uint32_t>(i) * 0x9E3779B1u ^ static_cast<std::uint32_t>(i >> 32) ^
                      (buffer * 0x85EBCA77u + 0x165667B1u);
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return h >> 8;
}
} // namespace

void initialise_buffer(const BufferSpec& spec, std::size_t index, std::span<std::byte> out) {
    if (out.size() < spec.bytes())
        fail(ErrorKind::invalid_argument, "buffer '{}' needs {} bytes, got {}", spec.name, spec.bytes(), out.size());
    if (spec.role == BufferRole::output) {
        std::memset(out.data(), 0, spec.bytes());
        return;
    }
    const auto b = static_cast<std::uint32_t>(index);
    for (std::uint64_t i = 0; i < spec.count; ++i) {
        const std::uint32_t k = element_hash(b, i);
        std::byte* p = out.data() + i * elem_size(spec.type);
        switch (spec.type) {
            case ElemType::f32: {
                const float v = static_cast<float>(k) / 8388608.0f - 1.0f;
                std::memcpy(p, &v, 4);
                break;
            }
            case ElemType::f64: {
                const double v = static_cast<double>(k) / 8388608.0 - 1.0;
                std::memcpy(p, &v, 8);
                break;
            }
            case ElemType::i32: {
                const std::int32_t v = static_cast<std::int32_t>(k % 201u) - 100;
                std::memcpy(p, &v, 4);
                break;
            }
            case ElemType::i8: {
                const auto v = static_cast<std::int8_t>(static_cast<std::int32_t>(k % 255u) - 127);
                std::memcpy(p, &v, 1);
                break;
            }
        }
    }
}

// ---- ELF -------------------------------------------------------------------------------------

namespace {

std::string hash_bytes(std::span<const std::byte> bytes) {
    // Two FNV-1a 64 passes with different offsets: a fast, stable cache key (not cryptographic).
    const std::uint64_t a = fnv1a64({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
    std::uint64_t b = 0x84222325cbf29ce4ull; // the second pass also mixes its state after each byte
    for (auto byte : bytes) {
        b = (b ^ static_cast<std::uint8_t>(byte)) * 0x100000001b3ull;
        b ^= b >> 29;
    }
    return fmt::format("{:016x}{:016x}", a, b);
}

std::string_view isa_name_of_machine(std::uint16_t machine) {
    switch (machine) {
        case EM_X86_64: return "x86-64";
        case EM_AARCH64: return "aarch64";
        case EM_RISCV: return "riscv64";
        case EM_386: return "i386";
        case EM_ARM: return "arm (32-bit)";
        default: return "an unsupported machine";
    }
}

} // namespace

KernelBinary KernelBinary::load(const std::filesystem::path& path, std::optional<Isa> expected) {
    const std::string chars = read_file(path, {}, max_file_bytes);
    std::vector<std::byte> bytes(chars.size());
    if (!chars.empty()) std::memcpy(bytes.data(), chars.data(), chars.size()); // (memcpy from/to null: UB, UBSan)
    auto binary = from_bytes(std::move(bytes), path.string(), expected);
    auto described = std::make_shared<Described>(*binary.described_);
    described->path = path;
    binary.described_ = std::move(described);
    return binary;
}

KernelBinary KernelBinary::from_bytes(std::vector<std::byte> bytes, std::string name, std::optional<Isa> expected) {
    if (bytes.empty()) fail(ErrorKind::invalid_binary, "{}: empty file, not an ELF executable", name);
    const detail::ElfReader elf(bytes, name);
    if (bytes.size() < 4 || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
        fail(ErrorKind::invalid_binary, "{}: not an ELF file (bad magic)", name);
    if (bytes.size() < EI_NIDENT) fail(ErrorKind::invalid_binary, "{}: truncated ELF header", name);
    if (static_cast<unsigned char>(bytes[EI_CLASS]) != ELFCLASS64)
        fail(ErrorKind::invalid_binary, "{}: a 32-bit ELF; simtune needs ELF64", name);
    if (static_cast<unsigned char>(bytes[EI_DATA]) != ELFDATA2LSB)
        fail(ErrorKind::invalid_binary, "{}: a big-endian ELF; simtune's targets are little-endian", name);
    const auto eh = elf.read<Elf64_Ehdr>(0, "the ELF header");

    KernelBinary k;
    auto described = std::make_shared<Described>();
    switch (eh.e_machine) {
        case EM_X86_64: k.isa_ = Isa::x86_64; break;
        case EM_AARCH64: k.isa_ = Isa::aarch64; break;
        case EM_RISCV: k.isa_ = Isa::riscv64; break;
        default:
            if (expected)
                fail(ErrorKind::wrong_isa, "{}: built for {} (e_machine {}), target is {}", name,
                     isa_name_of_machine(eh.e_machine), eh.e_machine, *expected);
            fail(ErrorKind::invalid_binary,
                 "{}: built for {} (e_machine {}); simtune supports x86-64, aarch64, riscv64", name,
                 isa_name_of_machine(eh.e_machine), eh.e_machine);
    }
    if (expected && *expected != k.isa_)
        fail(ErrorKind::wrong_isa, "{}: built for {}, but the target is {}", name, k.isa_, *expected);
    if (eh.e_type != ET_EXEC)
        fail(ErrorKind::invalid_binary,
             "{}: ELF type {} is not a static executable (ET_EXEC); build kernels with -static", name,
             eh.e_type == ET_DYN   ? "ET_DYN (shared object or PIE)"
             : eh.e_type == ET_REL ? "ET_REL (object file)"
                                   : "other");
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0)
        fail(ErrorKind::invalid_binary, "{}: corrupt ELF: no or malformed program headers", name);
    elf.check_range(eh.e_phoff, std::uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr), "the program header table");
    k.entry_ = eh.e_entry;

    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        const auto ph = elf.read<Elf64_Phdr>(eh.e_phoff + i * sizeof(Elf64_Phdr), "a program header");
        if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
            fail(ErrorKind::invalid_binary, "{}: dynamically linked; kernel binaries must be linked with -static",
                 name);
        if (ph.p_type != PT_LOAD) continue;
        if (ph.p_filesz > ph.p_memsz)
            fail(ErrorKind::invalid_binary, "{}: corrupt ELF: segment {} has file size > memory size", name, i);
        elf.check_range(ph.p_offset, ph.p_filesz, fmt::format("loadable segment {}", i));
        // The Unicorn engine lays the guest out from these bounds and copies file bytes into it: a
        // segment that wraps around the address space (or lies beyond any 64-bit user space) would
        // turn that copy into a write outside the guest's memory.
        constexpr std::uint64_t user_space_end = std::uint64_t{1} << 47;
        if (ph.p_memsz > user_space_end || ph.p_vaddr > user_space_end - ph.p_memsz)
            fail(ErrorKind::invalid_binary,
                 "{}: corrupt ELF: loadable segment {} (address {:#x}, {:#x} bytes) wraps around or lies beyond the "
                 "47-bit user address space",
                 name, i, ph.p_vaddr, ph.p_memsz);
        described->segments.push_back({ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz, (ph.p_flags & PF_R) != 0,
                                       (ph.p_flags & PF_W) != 0, (ph.p_flags & PF_X) != 0});
    }
    if (described->segments.empty()) fail(ErrorKind::invalid_binary, "{}: no loadable segments", name);

    // Sections: the symbol table and the kernel's own code section.
    if (eh.e_shnum == 0 || eh.e_shentsize != sizeof(Elf64_Shdr))
        fail(ErrorKind::invalid_binary, "{}: no section headers (stripped?); simtune needs the symbol table", name);
    elf.check_range(eh.e_shoff, std::uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr), "the section header table");
    std::vector<Elf64_Shdr> sections(eh.e_shnum);
    for (unsigned i = 0; i < eh.e_shnum; ++i)
        sections[i] = elf.read<Elf64_Shdr>(eh.e_shoff + i * sizeof(Elf64_Shdr), "a section header");
    if (eh.e_shstrndx >= eh.e_shnum)
        fail(ErrorKind::invalid_binary, "{}: corrupt ELF: bad section-name table index", name);
    const auto& shstr = sections[eh.e_shstrndx];
    elf.check_range(shstr.sh_offset, shstr.sh_size, "the section-name table");

    bool have_symtab = false, have_kernel_text = false;
    std::vector<std::pair<std::string, Symbol>> symbols;
    for (const auto& sh : sections) {
        if (sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL) continue;
        const auto sname = elf.string_at(shstr.sh_offset, shstr.sh_size, sh.sh_name, "section");
        if (sname == "simtune_text") {
            k.kernel_code_ = {sh.sh_addr, sh.sh_addr + sh.sh_size};
            have_kernel_text = true;
        }
        if (sh.sh_type != SHT_SYMTAB) continue;
        have_symtab = true;
        if (sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_link >= sections.size())
            fail(ErrorKind::invalid_binary, "{}: corrupt ELF: malformed symbol table", name);
        elf.check_range(sh.sh_offset, sh.sh_size, "the symbol table");
        const auto& strtab = sections[sh.sh_link];
        elf.check_range(strtab.sh_offset, strtab.sh_size, "the symbol string table");
        for (std::uint64_t off = 0; off + sizeof(Elf64_Sym) <= sh.sh_size; off += sizeof(Elf64_Sym)) {
            const auto sym = elf.read<Elf64_Sym>(sh.sh_offset + off, "a symbol");
            const auto type = ELF64_ST_TYPE(sym.st_info);
            if ((type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) || sym.st_name == 0 ||
                sym.st_shndx == SHN_UNDEF)
                continue;
            const auto sname2 = elf.string_at(strtab.sh_offset, strtab.sh_size, sym.st_name, "symbol");
            symbols.emplace_back(std::string(sname2), Symbol{sym.st_value, sym.st_size});
        }
    }
    if (!have_symtab)
        fail(ErrorKind::invalid_binary, "{}: no symbol table (stripped?); simtune needs the kernel's symbols", name);
    std::ranges::stable_sort(symbols, {}, &std::pair<std::string, Symbol>::first);
    k.symbols_ = std::make_shared<const std::vector<std::pair<std::string, Symbol>>>(std::move(symbols));
    for (auto required : required_symbols)
        if (!k.symbol(required))
            fail(ErrorKind::invalid_binary,
                 "{}: missing symbol '{}': not a simtune kernel binary (build it with simtune::build_kernel)", name,
                 required);
    if (!have_kernel_text)
        fail(ErrorKind::invalid_binary,
             "{}: no 'simtune_text' section: the kernel was not built with simtune::build_kernel", name);
    const auto kernel = *k.symbol("simtune_kernel");
    if (kernel.address < k.kernel_code_.first || kernel.address >= k.kernel_code_.second)
        fail(ErrorKind::invalid_binary, "{}: simtune_kernel at {:#x} lies outside the kernel section [{:#x}, {:#x})",
             name, kernel.address, k.kernel_code_.first, k.kernel_code_.second);

    // The buffer description: a NUL-terminated string in a file-backed part of a segment.
    const auto spec = *k.symbol("simtune_buffer_spec");
    std::string text;
    bool found = false;
    for (const auto& seg : described->segments) {
        if (spec.address < seg.vaddr || spec.address >= seg.vaddr + seg.file_size) continue;
        const std::uint64_t off = seg.file_offset + (spec.address - seg.vaddr);
        const std::uint64_t avail = seg.vaddr + seg.file_size - spec.address;
        const char* p = reinterpret_cast<const char*>(bytes.data() + off);
        const auto len = ::strnlen(p, static_cast<std::size_t>(std::min<std::uint64_t>(avail, 4096)));
        text.assign(p, len);
        found = len < avail;
        break;
    }
    if (!found) fail(ErrorKind::invalid_binary, "{}: simtune_buffer_spec is not a string in the file's data", name);
    try {
        described->buffers = parse_buffer_spec(text);
    } catch (const Error& e) {
        fail(ErrorKind::invalid_binary, "{}: bad simtune_buffer_spec '{}': {}", name, text, e.what());
    }

    described->hash = hash_bytes(bytes);
    described->path = name;
    k.described_ = std::move(described);
    k.bytes_ = std::make_shared<const std::vector<std::byte>>(std::move(bytes));
    return k;
}

std::optional<Symbol> KernelBinary::symbol(std::string_view name) const {
    auto it = std::ranges::lower_bound(*symbols_, name, {}, [](const auto& s) { return std::string_view(s.first); });
    if (it == symbols_->end() || it->first != name) return std::nullopt;
    return it->second;
}

std::string KernelBinary::symbol_at(std::uint64_t address) const {
    // Only a symbol whose extent covers the address names it. AArch64 and RISC-V mapping symbols
    // ($x, $d, $xrv64...) have no size and name nothing, so they never match.
    for (const auto& [n, s] : *symbols_)
        if (!n.empty() && n[0] != '$' && s.size > 0 && address >= s.address && address < s.address + s.size) return n;
    return {};
}

} // namespace simtune
