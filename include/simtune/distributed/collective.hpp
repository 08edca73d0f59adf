#pragma once
// Collective: the few operations simtune needs from a group of cooperating processes (MPI ranks),
// as an interface the library can use without depending on MPI. The MPI implementation is
// simtune::mpi::World (simtune/distributed/mpi.hpp, target simtune::mpi, built with the CMake
// option SIMTUNE_WITH_MPI); the library itself never includes or links MPI.
//
// Every member is collective: all ranks call it, in the same order. A rank that throws between two
// collective calls leaves the others waiting, so a caller that catches an exception must end the
// whole job (mpi::World::abort), as the simtune command does.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace simtune {

class Collective {
public:
    virtual ~Collective() = default;

    /// This process's rank in [0, size()); rank 0 is the root that merges results and writes files.
    [[nodiscard]] virtual std::size_t rank() const noexcept = 0;
    [[nodiscard]] virtual std::size_t size() const noexcept = 0;
    [[nodiscard]] bool is_root() const noexcept { return rank() == 0; }

    /// Every rank contributes `mine`; the root receives all contributions in rank order, the other
    /// ranks an empty vector.
    virtual std::vector<std::string> gather(std::string_view mine) = 0;
    /// The root's `message` replaces `message` on every other rank.
    virtual void broadcast(std::string& message) = 0;
};

/// `collective` if it has more than one rank, else null: a job of one rank has nothing to share,
/// and every sharing code path treats it as a single process.
inline Collective* active_collective(Collective* collective) noexcept {
    return collective && collective->size() > 1 ? collective : nullptr;
}

} // namespace simtune
