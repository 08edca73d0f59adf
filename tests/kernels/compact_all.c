/* The same compaction as compact_half.c with a test every input passes (x[i] > -2): the same code,
 * a branch that always goes one way.
 * buffers: x:f32:4096:in; y:f32:4096:out */
void simtune_kernel(const float *restrict x, float *restrict y) {
    int n = 0;
    for (int i = 0; i < 4096; ++i)
        if (x[i] > -2.0f) y[n++] = x[i];
}
