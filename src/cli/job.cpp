#include "job.hpp"

#include <algorithm>
#include <cstdlib>

#ifdef SIMTUNE_WITH_MPI
#include "simtune/distributed/mpi.hpp"
#endif

namespace simtune::cli {

namespace {
Job* current_job = nullptr;
}

#ifdef SIMTUNE_WITH_MPI
struct Job::World {
    mpi::World world;
    World(int& argc, char**& argv) : world(argc, argv) {}
};
#else
struct Job::World {};
#endif

Job::Job([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef SIMTUNE_WITH_MPI
    if (mpi::started_by_launcher()) world_ = std::make_unique<World>(argc, argv);
#else
    // The job sizes Open MPI's mpirun and MPICH's Hydra (PMI) announce to the processes they start.
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
        if (const char* value = std::getenv(name))
            unjoined_ranks_ = std::max<std::size_t>(unjoined_ranks_, std::strtoul(value, nullptr, 10));
#endif
    current_job = this;
}

Job::~Job() {
    if (current_job == this) current_job = nullptr;
}

Job& Job::current() {
    if (!current_job) std::abort(); // main() creates the job before running any command
    return *current_job;
}

Collective* Job::collective() const noexcept {
#ifdef SIMTUNE_WITH_MPI
    if (world_) return active_collective(&world_->world);
#endif
    return nullptr;
}

std::size_t Job::rank() const noexcept {
#ifdef SIMTUNE_WITH_MPI
    if (world_) return world_->world.rank();
#endif
    return 0;
}

std::size_t Job::size() const noexcept {
#ifdef SIMTUNE_WITH_MPI
    if (world_) return world_->world.size();
#endif
    return 1;
}

void Job::abort(int exit_code) noexcept {
#ifdef SIMTUNE_WITH_MPI
    if (world_) world_->world.abort(exit_code);
#endif
    std::exit(exit_code);
}

} // namespace simtune::cli
