// The built-in simulators by name, for pools, the tuner and the command line.
#include "simtune/simulators/any_simulator.hpp"
#include "simtune/simulators/qemu.hpp"
#include "simtune/simulators/unicorn.hpp"

namespace simtune {

SimulatorFactory simulator_factory(std::string_view name, SimulationLimits limits, SamplingOptions sampling) {
    auto make = [&]<class Simulator, class Options>() -> SimulatorFactory {
        return [limits, sampling] {
            Options o;
            o.limits = limits;
            o.sampling = sampling;
            return AnySimulator(Simulator(o));
        };
    };
    if (name == UnicornSimulator::name) return make.operator()<UnicornSimulator, UnicornOptions>();
    if (name == QemuSimulator::name) return make.operator()<QemuSimulator, QemuOptions>();
    fail(ErrorKind::invalid_argument, "unknown simulator '{}' (built-in: unicorn, qemu)", name);
}

} // namespace simtune
