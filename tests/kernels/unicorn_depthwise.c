/* Depthwise 3x3 convolution, NCHW, stride 1, zero padding 1 (output the size of the input):
 *   out[c][y][x] = sum_r,s in[c][y+r-1][x+s-1] * w[c][r][s].
 * Buffers: in:f32:C*H*W:in; w:f32:C*9:in; out:f32:C*H*W:out. Defaults C=8 H=W=16. */
#ifndef C
#define C 8
#endif
#ifndef H
#define H 16
#endif
#ifndef W
#define W 16
#endif
void simtune_kernel(const float *restrict in, const float *restrict w, float *restrict out) {
    for (int c = 0; c < C; ++c)
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                float acc = 0.0f;
                for (int r = 0; r < 3; ++r) {
                    const int iy = y + r - 1;
                    if (iy < 0 || iy >= H) continue;
                    for (int s = 0; s < 3; ++s) {
                        const int ix = x + s - 1;
                        if (ix < 0 || ix >= W) continue;
                        acc += in[(c * H + iy) * W + ix] * w[c * 9 + r * 3 + s];
                    }
                }
                out[(c * H + y) * W + x] = acc;
            }
}
