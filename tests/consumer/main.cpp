// Builds a kernel for the host with simtune and checks what came back: proof that the consumer
// got headers, the compiled library and its dependencies through simtune::simtune alone.
#include <simtune/simtune.hpp>

int main() {
    const simtune::Target host = simtune::host_x86_64();
    const std::vector<simtune::BufferSpec> buffers{{"x", simtune::ElemType::f32, 64, simtune::BufferRole::inout}};
    const auto kernel = simtune::build_kernel(
        "void simtune_kernel(float *x) { for (int i = 0; i < 64; ++i) x[i] *= 2.0f; }", buffers, host);
    fmt::print("consumer: built {} for {} with {} buffer(s)\n", kernel.path().string(), kernel.isa(),
               kernel.buffers().size());
    return kernel.buffers() == buffers ? 0 : 1;
}
