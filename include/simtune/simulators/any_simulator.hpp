#pragma once
// AnySimulator: a type-erased Simulator, so a pool, a tuner or a command line can choose the
// simulator at run time. Each instance is used by one thread at a time; a pool makes one per worker.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "simtune/collectors/collector_set.hpp"
#include "simtune/concepts.hpp"

namespace simtune {

class AnySimulator {
public:
    template <Simulator S>
        requires(!std::same_as<std::remove_cvref_t<S>, AnySimulator>)
    explicit AnySimulator(S simulator) : self_(std::make_unique<Model<S>>(std::move(simulator))) {}

    [[nodiscard]] std::string_view name() const { return self_->name(); }
    SimulationResult run(const KernelBinary& kernel, const Target& target, CollectorSet& collectors) {
        return self_->run(kernel, target, collectors);
    }

private:
    struct Concept {
        virtual ~Concept() = default;
        [[nodiscard]] virtual std::string_view name() const = 0;
        virtual SimulationResult run(const KernelBinary&, const Target&, CollectorSet&) = 0;
    };
    template <class S>
    struct Model final : Concept {
        S simulator;
        explicit Model(S s) : simulator(std::move(s)) {}
        [[nodiscard]] std::string_view name() const override { return S::name; }
        SimulationResult run(const KernelBinary& k, const Target& t, CollectorSet& c) override {
            return simulator.run(k, t, c);
        }
    };
    std::unique_ptr<Concept> self_;
};

/// Makes a fresh simulator; pools call it once per worker thread.
using SimulatorFactory = std::function<AnySimulator()>;

/// The built-in simulators by name: "unicorn" or "qemu". Throws Error(invalid_argument) otherwise.
/// `sampling`: sampled memory statistics (QemuOptions::sampling, UnicornOptions::sampling).
SimulatorFactory simulator_factory(std::string_view name, SimulationLimits limits = {}, SamplingOptions sampling = {});
/// The built-in simulator of `kind`.
inline SimulatorFactory simulator_factory(SimulatorKind kind, SimulationLimits limits = {},
                                          SamplingOptions sampling = {}) {
    return simulator_factory(to_string(kind), limits, sampling);
}

} // namespace simtune
