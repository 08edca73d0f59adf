/* The same number of loads from the same 4 MiB, missing as often, but each address is a function
 * of the step alone: a core has many of these misses in flight at once.
 * buffers: x:f32:1048576:in;y:f32:1:out */
typedef unsigned __attribute__((may_alias)) word; /* the floats' bits, as indices */

void simtune_kernel(const float *restrict x, float *restrict y) {
    const word *bits = (const word *)x;
    unsigned s = 0;
    for (unsigned i = 0; i < 20000; ++i) s += bits[((i * 2654435761u) >> 8) & 1048575u];
    y[0] = (float)s;
}
