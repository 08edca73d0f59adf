#pragma once
// A user's own candidates as a directory: C sources of one kernel (each defining
// `void simtune_kernel(T0* b0, ...)`, as `simtune build` takes them) or kernel binaries, one
// candidate per file, named by the file's stem. This is how `simtune tune DIR` and
// `simtune dataset DIR` take a user's operator without C++.
//
// Sources need their buffers: given by the caller (the command's --buffers), or read from the
// directory's buffer-spec file `buffers.spec` — the same NAME:TYPE:COUNT:ROLE text as --buffers,
// with entries separated by ';' or new lines and '#' starting a comment. Every source of a
// directory shares those buffers (they are variants of one kernel).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "simtune/kernel.hpp"
#include "simtune/target.hpp"
#include "simtune/tuning/pool.hpp"

namespace simtune {

/// The buffer-spec file a directory of sources may hold.
inline constexpr std::string_view buffer_spec_file_name = "buffers.spec";

struct CandidateDirectoryOptions {
    /// Buffers of every source; empty: read the directory's buffers.spec.
    std::vector<BufferSpec> buffers;
    std::vector<std::string> flags; ///< extra compiler flags for every source
    std::optional<Isa> isa;         ///< binaries must be for this ISA (else: all the same one)
};

struct CandidateDirectory {
    std::string name;                         ///< the directory's name (a dataset's workload column)
    std::vector<Candidate> candidates;        ///< by file name; Candidate::name = the file's stem
    std::vector<std::filesystem::path> files; ///< the file of each candidate
    bool from_sources = false;                ///< C sources (else kernel binaries)
    std::optional<Isa> isa;                   ///< the binaries' ISA (sources: none, the target decides)
    std::vector<BufferSpec> buffers;          ///< the sources' buffers (binaries carry their own)
};

/// Reads `dir`. If it holds C sources (`*.c`), they are the candidates and other files are ignored;
/// otherwise every regular file but buffers.spec and hidden files must be a kernel binary.
/// Throws Error(invalid_argument) for a missing or empty directory, sources without buffers, or
/// two candidates with one stem; Error(invalid_binary / wrong_isa) for a file that is not a kernel
/// binary of the expected ISA; Error(invalid_argument) naming the line of a bad buffers.spec.
CandidateDirectory load_candidate_directory(const std::filesystem::path& dir,
                                            const CandidateDirectoryOptions& options = {});

/// Parses a buffer-spec file's text (see above); `origin` names it in errors.
std::vector<BufferSpec> parse_buffer_spec_file(std::string_view text, std::string_view origin);

} // namespace simtune
