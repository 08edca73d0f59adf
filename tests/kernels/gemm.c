/* C[M][N] = A[M][K] * B[K][N], row-major floats; buffers: A:f32:M*K:in; B:f32:K*N:in; C:f32:M*N:out
 * The sizes can be overridden with -D (benchmarks use larger ones). */
#ifndef M
#define M 48
#endif
#ifndef N
#define N 48
#endif
#ifndef K
#define K 48
#endif

void simtune_kernel(const float *restrict a, const float *restrict b, float *restrict c) {
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float sum = 0.0f;
            for (int k = 0; k < K; ++k) sum += a[i * K + k] * b[k * N + j];
            c[i * N + j] = sum;
        }
}
