// A tiny kernel for the CLI tests: c = a + b over 4096 floats.
void simtune_kernel(const float* a, const float* b, float* c) {
    for (int i = 0; i < 4096; ++i) c[i] = a[i] + b[i];
}
