#pragma once
// Internal to the library: bounds-checked reads from an ELF file image, shared by KernelBinary
// (executables, src/kernel.cpp) and build_kernel_from_object (objects, src/build.cpp).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "simtune/error.hpp"

namespace simtune::detail {

/// Bounds-checked reads from the file image; every failure names the file and the structure.
class ElfReader {
public:
    ElfReader(std::span<const std::byte> bytes, const std::string& name) : bytes_(bytes), name_(name) {}

    template <class T>
    T read(std::uint64_t offset, std::string_view what) const {
        if (offset > bytes_.size() || bytes_.size() - offset < sizeof(T))
            fail(ErrorKind::invalid_binary, "{}: truncated ELF: {} at offset {} lies beyond the file's {} bytes", name_,
                 what, offset, bytes_.size());
        T value;
        std::memcpy(&value, bytes_.data() + offset, sizeof(T));
        return value;
    }
    void check_range(std::uint64_t offset, std::uint64_t size, std::string_view what) const {
        if (offset > bytes_.size() || bytes_.size() - offset < size)
            fail(ErrorKind::invalid_binary,
                 "{}: truncated ELF: {} ({} bytes at offset {}) lies beyond the file's {} bytes", name_, what, size,
                 offset, bytes_.size());
    }
    std::string_view string_at(std::uint64_t table_offset, std::uint64_t table_size, std::uint32_t index,
                               std::string_view what) const {
        if (index >= table_size)
            fail(ErrorKind::invalid_binary, "{}: corrupt ELF: {} name index {} outside its string table", name_, what,
                 index);
        const char* begin = reinterpret_cast<const char*>(bytes_.data() + table_offset + index);
        const auto max = static_cast<std::size_t>(table_size - index);
        const auto len = ::strnlen(begin, max);
        if (len == max) fail(ErrorKind::invalid_binary, "{}: corrupt ELF: unterminated {} name", name_, what);
        return {begin, len};
    }

private:
    std::span<const std::byte> bytes_;
    const std::string& name_; // the caller's, kept alive by it: the file's name in messages
};

} // namespace simtune::detail
