/* Never returns (tests time limits). buffers: a:f32:16:inout */
void simtune_kernel(float *a) {
    volatile float *v = a;
    for (;;) v[0] = v[0] + 1.0f;
}
