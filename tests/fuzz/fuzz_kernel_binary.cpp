// libFuzzer target: KernelBinary::from_bytes (the ELF reader and the kernel-binary contract) and,
// for what it accepts, loading it into Unicorn and running it under tight limits (the image
// layout computed from the program headers is what a crafted ELF attacks).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include <simtune/collectors/collector_set.hpp>
#include <simtune/error.hpp>
#include <simtune/kernel.hpp>
#include <simtune/simulators/unicorn.hpp>
#include <simtune/target.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const simtune::Target targets[] = {simtune::host_x86_64(), simtune::cortex_a72(), simtune::sifive_u74()};
    std::vector<std::byte> bytes(size);
    if (size) std::memcpy(bytes.data(), data, size);
    try {
        const auto binary = simtune::KernelBinary::from_bytes(std::move(bytes), "fuzz-input");
        (void)binary.buffers();
        for (const auto& target : targets) {
            if (target.isa != binary.isa()) continue;
            simtune::UnicornSimulator unicorn(simtune::SimulationLimits{20'000, std::chrono::milliseconds(200)});
            simtune::CollectorSet collectors;
            (void)unicorn.run(binary, target, collectors);
        }
    } catch (const simtune::Error&) {
        // a clear rejection is the expected outcome
    }
    return 0;
}
