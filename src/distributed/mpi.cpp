// The MPI Collective. Collectives are non-blocking calls completed by a polling loop that sleeps
// between tests: an idle rank costs no CPU, which matters on one machine where ranks share cores
// with each other and with the root's native timing. The added latency (about a millisecond per
// collective) is nothing next to a chunk of simulations.
#include "simtune/distributed/mpi.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <thread>

#include <mpi.h>

#include "simtune/error.hpp"

namespace simtune::mpi {

namespace {

void wait_quietly(MPI_Request& request) {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    for (auto pause = std::chrono::microseconds(50); !done; MPI_Test(&request, &done, MPI_STATUS_IGNORE)) {
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(2000));
    }
}

int as_count(std::size_t bytes) {
    if (bytes > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        fail(ErrorKind::invalid_argument, "an MPI message of {} bytes exceeds MPI's 2 GiB count limit", bytes);
    return static_cast<int>(bytes);
}

} // namespace

bool started_by_launcher() noexcept {
    // Open MPI's mpirun; MPICH/Hydra and Slurm's PMI-2; PMIx (Open MPI 4+, srun --mpi=pmix).
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK"})
        if (std::getenv(name)) return true;
    return false;
}

World::World(int& argc, char**& argv) {
    int provided = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        fail(ErrorKind::tool_missing, "MPI could not be initialised");
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    rank_ = static_cast<std::size_t>(rank);
    size_ = static_cast<std::size_t>(size);
}

World::~World() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize();
}

std::vector<std::string> World::gather(std::string_view mine) {
    const int count = as_count(mine.size());
    std::vector<int> counts(is_root() ? size_ : 0);
    MPI_Request request;
    MPI_Igather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD, &request);
    wait_quietly(request);

    std::vector<int> displacements(counts.size());
    std::size_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
        displacements[r] = as_count(total);
        total += static_cast<std::size_t>(counts[r]);
    }
    std::string all(is_root() ? total : 0, '\0');
    MPI_Igatherv(mine.data(), count, MPI_CHAR, all.data(), counts.data(), displacements.data(), MPI_CHAR, 0,
                 MPI_COMM_WORLD, &request);
    wait_quietly(request);
    if (!is_root()) return {};
    std::vector<std::string> out;
    for (std::size_t r = 0; r < counts.size(); ++r)
        out.push_back(all.substr(static_cast<std::size_t>(displacements[r]), static_cast<std::size_t>(counts[r])));
    return out;
}

void World::broadcast(std::string& message) {
    std::uint64_t size = message.size();
    MPI_Request request;
    MPI_Ibcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &request);
    wait_quietly(request);
    message.resize(size);
    MPI_Ibcast(message.data(), as_count(size), MPI_CHAR, 0, MPI_COMM_WORLD, &request);
    wait_quietly(request);
}

void World::abort(int exit_code) noexcept {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code); // MPI_Abort does not return; this keeps [[noreturn]] honest
}

} // namespace simtune::mpi
