/* Direct 3x3 convolution, stride 1, no padding, NCHW input and OIHW weights.
 * buffers: input:f32:CI*H*W:in; weights:f32:CO*CI*3*3:in; output:f32:CO*(H-2)*(W-2):out
 * The sizes can be overridden with -D (benchmarks use larger ones). */
#ifndef CI
#define CI 8
#endif
#ifndef CO
#define CO 8
#endif
#ifndef H
#define H 18
#endif
#ifndef W
#define W 18
#endif
#define OH (H - 2)
#define OW (W - 2)

void simtune_kernel(const float *restrict in, const float *restrict w, float *restrict out) {
    for (int o = 0; o < CO; ++o)
        for (int y = 0; y < OH; ++y)
            for (int x = 0; x < OW; ++x) {
                float sum = 0.0f;
                for (int c = 0; c < CI; ++c)
                    for (int ky = 0; ky < 3; ++ky)
                        for (int kx = 0; kx < 3; ++kx)
                            sum += in[(c * H + y + ky) * W + x + kx] * w[((o * CI + c) * 3 + ky) * 3 + kx];
                out[(o * OH + y) * OW + x] = sum;
            }
}
