// The built-in simulators by name, for pools, the tuner and the command line.
#include "simtune/simulators/any_simulator.hpp"
#include "simtune/simulators/qemu.hpp"
#include "simtune/simulators/unicorn.hpp"

namespace simtune {

SimulatorFactory simulator_factory(std::string_view name, SimulationLimits limits, QemuSampling sampling) {
    if (name == UnicornSimulator::name) return [limits] { return AnySimulator(UnicornSimulator(limits)); };
    if (name == QemuSimulator::name)
        return [limits, sampling] {
            QemuOptions o;
            o.limits = limits;
            o.sampling = sampling;
            return AnySimulator(QemuSimulator(o));
        };
    fail(ErrorKind::invalid_argument, "unknown simulator '{}' (built-in: unicorn, qemu)", name);
}

} // namespace simtune
