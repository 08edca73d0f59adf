// libFuzzer target: the dataset CSV reader (Dataset::load_csv, which reads a file: the input is
// written to a private file first), then the training set made from what it accepted.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <simtune/error.hpp>
#include <simtune/tuning/dataset.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path file = [] {
        char pattern[] = "/tmp/simtune-fuzz-csv-XXXXXX";
        const int fd = ::mkstemp(pattern);
        if (fd >= 0) ::close(fd);
        return std::filesystem::path(pattern);
    }();
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        const auto dataset = simtune::Dataset::load_csv(file);
        for (const auto& simulator : dataset.simulators()) (void)dataset.training_set(simulator);
        (void)dataset.workloads();
    } catch (const simtune::Error&) {}
    return 0;
}
