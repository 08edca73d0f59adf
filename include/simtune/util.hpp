#pragma once
// The small utilities every part of simtune shares, in one place: hashing, deterministic random
// order, reading a whole file, splitting a list, and the text form of a collector list. (The names of error kinds
// live with ErrorKind, in error.hpp.)
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simtune {

struct CollectorSelection;

/// FNV-1a 64 of `bytes`, from `basis` (the standard offset basis by default): a fast, stable hash
/// for cache keys and seeds, not a cryptographic one.
constexpr std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t basis = 0xcbf29ce484222325ull) noexcept {
    for (unsigned char c : bytes) basis = (basis ^ c) * 0x100000001b3ull;
    return basis;
}

/// splitmix64: a small, fully specified generator (advances `state`).
inline std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// Fisher-Yates with `next()` (any callable returning a uint64_t, e.g. a std::mt19937_64) as the
/// source of randomness. Unlike std::shuffle, whose sequence is implementation-defined, this gives
/// the same order with every standard library, which reproducible samples and splits need.
template <class T, class Next>
void fisher_yates(std::vector<T>& items, Next&& next) {
    for (std::size_t i = items.size(); i > 1; --i)
        std::swap(items[i - 1], items[static_cast<std::uint64_t>(next()) % i]);
}

/// Fisher-Yates with splitmix64 seeded by `seed`.
template <class T>
void deterministic_shuffle(std::vector<T>& items, std::uint64_t seed) {
    fisher_yates(items, [&seed] { return splitmix64(seed); });
}

/// The most read_file reads by default (1 GiB).
inline constexpr std::uintmax_t default_max_file_bytes = std::uintmax_t{1} << 30;

/// The whole contents of `path`, a regular file of at most `max_bytes`. Throws Error(io) "<what>
/// <path>: no such file" (or "is a directory", "not a regular file" for a FIFO or a device such as
/// /dev/zero, "larger than the limit", "cannot read"); `what` (e.g. "kernel object") may be empty.
std::string read_file(const std::filesystem::path& path, std::string_view what = {},
                      std::uintmax_t max_bytes = default_max_file_bytes);

/// `dir`, made private to this user: created with mode 0700 if absent (its parent must exist);
/// if present, it must be a real directory (not a symbolic link) owned by this user that no one
/// else may enter or write (no group or other permission bits). Otherwise Error(io) says what is
/// wrong: files in a directory another user controls could be swapped under simtune.
std::filesystem::path private_directory(const std::filesystem::path& dir);

/// private_directory(<system temp directory>/<name>-<uid>): a per-user directory that survives
/// the process (a cache), in the shared temp directory where anyone may have created that name.
std::filesystem::path private_temp_directory(std::string_view name);

/// Writes `text` to `path` atomically: into a new file beside it, flushed to the disk, then renamed
/// over `path`, so `path` is the whole new text or what it was before. Throws Error(io) naming the
/// file and the cause (full disk, a directory in the way, no permission).
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

/// The items of a list such as "mix, memory,caches" or "ridge+gbt": `text` cut at every
/// `separator`, the spaces around each item removed, and empty items ("a,,b", a trailing
/// separator, "") dropped. A caller for which an empty item is a mistake compares the number of
/// items with the number of separators.
std::vector<std::string> split_list(std::string_view text, char separator = ',');

/// Parses a collector list: "mix,branches,memory,caches" (any of them, comma-separated), "all" or
/// "none". Throws Error(invalid_argument) naming an unknown collector.
CollectorSelection parse_collectors(std::string_view text);

} // namespace simtune
