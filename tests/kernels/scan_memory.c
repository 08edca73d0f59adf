/* Prefix sum whose carry goes through memory (volatile: every element is stored, then loaded
 * back for the next one): a chain of load, add and store per element that MCA's per-block
 * throughput does not see. buffers: x:f32:4096:in; y:f32:4096:out */
void simtune_kernel(const float *x, float *y) {
    volatile float *v = y;
    v[0] = x[0];
    for (int i = 1; i < 4096; ++i) v[i] = v[i - 1] + x[i];
}
