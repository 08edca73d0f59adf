#pragma once
// simtune over MPI: a Collective on MPI_COMM_WORLD. Built only with the CMake option
// SIMTUNE_WITH_MPI, into the library simtune::mpi; the core library simtune stays free of MPI and
// this header does not include <mpi.h>.
//
// Waiting ranks do not spin: every collective is started non-blocking and polled with short
// sleeps, so a rank waiting for the root leaves the CPU to the root's native timing and to the
// other ranks' simulations (Open MPI's blocking collectives busy-poll a whole core).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "simtune/distributed/collective.hpp"

namespace simtune::mpi {

/// True if this process was started by an MPI launcher (mpirun/mpiexec, or Slurm's srun with PMI
/// or PMIx): the launcher's environment variables are present. A process started alone never
/// initialises MPI, so the single-process path stays exactly as it is without MPI.
[[nodiscard]] bool started_by_launcher() noexcept;

class World final : public Collective {
public:
    /// MPI_Init_thread (MPI calls come from the constructing thread only, MPI_THREAD_FUNNELED).
    /// Throws Error(tool_missing) if MPI cannot be initialised.
    World(int& argc, char**& argv);
    /// MPI_Finalize.
    ~World() override;
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    [[nodiscard]] std::size_t rank() const noexcept override { return rank_; }
    [[nodiscard]] std::size_t size() const noexcept override { return size_; }
    std::vector<std::string> gather(std::string_view mine) override;
    void broadcast(std::string& message) override;

    /// Ends every rank of the job with `exit_code` (MPI_Abort): what a rank must do when it cannot
    /// go on, since the others would otherwise wait for it forever.
    [[noreturn]] void abort(int exit_code) noexcept;

private:
    std::size_t rank_ = 0, size_ = 1;
};

} // namespace simtune::mpi
