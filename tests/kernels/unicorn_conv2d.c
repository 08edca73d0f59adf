/* Direct 2-D convolution, NCHW, stride 1, no padding, with bias:
 *   out[K][H-R+1][W-S+1] = bias[k] + sum_c,r,s in[C][H][W] * w[K][C][R][S].
 * Buffers: in:f32:C*H*W:in; w:f32:K*C*R*S:in; bias:f32:K:in; out:f32:K*(H-R+1)*(W-S+1):out.
 * Defaults C=4 H=W=16 K=8 R=S=3. */
#ifndef C
#define C 4
#endif
#ifndef H
#define H 16
#endif
#ifndef W
#define W 16
#endif
#ifndef K
#define K 8
#endif
#define R 3
#define S 3
#define OH (H - R + 1)
#define OW (W - S + 1)
void simtune_kernel(const float *restrict in, const float *restrict w, const float *restrict bias,
                    float *restrict out) {
    for (int k = 0; k < K; ++k)
        for (int y = 0; y < OH; ++y)
            for (int x = 0; x < OW; ++x) {
                float acc = bias[k];
                for (int c = 0; c < C; ++c)
                    for (int r = 0; r < R; ++r)
                        for (int s = 0; s < S; ++s)
                            acc += in[(c * H + y + r) * W + x + s] * w[((k * C + c) * R + r) * S + s];
                out[(k * OH + y) * OW + x] = acc;
            }
}
