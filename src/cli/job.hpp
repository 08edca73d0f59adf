#pragma once
// The job a simtune command runs in: one process, or (simtune built with SIMTUNE_WITH_MPI and
// started by mpirun or srun) one rank of an MPI job. Only `dataset` and `tune` distribute their
// work; on every rank but the root they print nothing and write no file.
#include <cstddef>
#include <memory>

#include "simtune/distributed/collective.hpp"

namespace simtune::cli {

class Job {
public:
    /// Joins the MPI job if a launcher started this process (and MPI support is built in).
    Job(int& argc, char**& argv);
    ~Job();
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    /// The job of this process (the one main() created).
    static Job& current();

    /// The ranks to share work with; null for a single process (or an MPI job of one rank).
    [[nodiscard]] Collective* collective() const noexcept;
    [[nodiscard]] bool is_root() const noexcept { return rank() == 0; }
    [[nodiscard]] std::size_t rank() const noexcept;
    [[nodiscard]] std::size_t size() const noexcept;
    /// How many processes a launcher started if this simtune has no MPI support (built without
    /// SIMTUNE_WITH_MPI) but runs under mpirun; 1 otherwise. Such processes cannot share work:
    /// each would do all of it and write the same files.
    [[nodiscard]] std::size_t unjoined_ranks() const noexcept { return unjoined_ranks_; }
    /// Ends the whole job (every rank) with `exit_code`; in a single process, exits.
    [[noreturn]] void abort(int exit_code) noexcept;

private:
    struct World;
    std::unique_ptr<World> world_;
    std::size_t unjoined_ranks_ = 1;
};

} // namespace simtune::cli
