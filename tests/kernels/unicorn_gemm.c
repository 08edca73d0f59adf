/* Naive single-precision GEMM, C[N][N] += A[N][N] * B[N][N], i-k-j order (inner loop vectorises).
 * Buffers: a:f32:N*N:in; b:f32:N*N:in; c:f32:N*N:out. N defaults to 32; build with -DN=... */
#ifndef N
#define N 32
#endif
void simtune_kernel(const float *restrict a, const float *restrict b, float *restrict c) {
    for (int i = 0; i < N; ++i)
        for (int k = 0; k < N; ++k) {
            const float aik = a[i * N + k];
            for (int j = 0; j < N; ++j) c[i * N + j] += aik * b[k * N + j];
        }
}
