/* Prefix sum whose carry stays in a register: a chain of one add per element.
 * buffers: x:f32:4096:in; y:f32:4096:out */
void simtune_kernel(const float *restrict x, float *restrict y) {
    float carry = 0.0f;
    for (int i = 0; i < 4096; ++i) {
        carry += x[i];
        y[i] = carry;
    }
}
