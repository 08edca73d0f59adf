/* Depthwise 3x3 convolution, stride 1, no padding, HWC layout (channels innermost).
 * buffers: input:f32:H*W*C:in; weights:f32:3*3*C:in; output:f32:(H-2)*(W-2)*C:out
 * The sizes can be overridden with -D (benchmarks use larger ones). */
#ifndef C
#define C 16
#endif
#ifndef H
#define H 26
#endif
#ifndef W
#define W 26
#endif
#define OH (H - 2)
#define OW (W - 2)

void simtune_kernel(const float *restrict in, const float *restrict w, float *restrict out) {
    for (int y = 0; y < OH; ++y)
        for (int x = 0; x < OW; ++x)
            for (int c = 0; c < C; ++c) {
                float sum = 0.0f;
                for (int ky = 0; ky < 3; ++ky)
                    for (int kx = 0; kx < 3; ++kx)
                        sum += in[((y + ky) * W + x + kx) * C + c] * w[(ky * 3 + kx) * C + c];
                out[(y * OW + x) * C + c] = sum;
            }
}
