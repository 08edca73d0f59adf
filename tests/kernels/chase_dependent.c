/* A chain of loads: each address depends on the value the load before it returned, so no two of
 * its cache misses can overlap. (The step's own index is mixed in so the walk never settles into
 * a short cycle whose lines would stay cached.) 4 MiB, more than any target's L2.
 * buffers: x:f32:1048576:in;y:f32:1:out */
typedef unsigned __attribute__((may_alias)) word; /* the floats' bits, as indices */

void simtune_kernel(const float *restrict x, float *restrict y) {
    const word *bits = (const word *)x;
    unsigned j = 0;
    for (unsigned i = 0; i < 20000; ++i) j = (bits[j] + i * 40503u) & 1048575u;
    y[0] = (float)j;
}
