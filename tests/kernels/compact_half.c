/* Stream compaction on a coin flip: the inputs are spread over [-1, 1), so whether x[i] > 0 is as
 * good as random and no predictor can learn the branch.
 * buffers: x:f32:4096:in; y:f32:4096:out */
void simtune_kernel(const float *restrict x, float *restrict y) {
    int n = 0;
    for (int i = 0; i < 4096; ++i)
        if (x[i] > 0.0f) y[n++] = x[i];
}
