/* Faults on purpose: stores far outside its buffers (tests the simulators' fault reporting).
 * buffers: a:f32:16:inout */
void simtune_kernel(float *a) {
    volatile float *wild = (volatile float *)(a + ((unsigned long)1 << 40));
    *wild = a[0];
    a[1] = 1.0f;
}
