#pragma once
// Workload spaces: the ML operators simtune ships, each with the knobs an autotuner turns (tile
// sizes per loop, loop order, inner loop order, unrolling, vectorisation, operand packing, fused vs.
// multi-pass, accumulators). Every variant of a workload computes the same result (bit for bit, or
// within rounding where a schedule reorders a floating-point reduction); variants differ only in
// schedule.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "simtune/kernel.hpp"

namespace simtune {

/// The loop nest behind a workload. The first five are the original built-in operators; their
/// generator is frozen (kept datasets refer to its variants by id and source).
enum class OpKind {
    gemm,
    conv2d_nhwc,
    conv2d_nchw,
    depthwise_conv2d_nhwc,
    dense,
    batch_matmul,
    gemv_transposed,
    conv2d_strided_nhwc,
    conv2d_dilated_nhwc,
    grouped_conv2d_nhwc,
    pointwise_conv2d_nhwc,
    transpose2d,
    im2col_nhwc,
    elementwise_chain,
    reduce_rows,
    reduce_cols,
    softmax_rows,
    layernorm_rows,
    batchnorm_nhwc,
    embedding_gather,
    maxpool_nhwc,
    avgpool_nhwc,
    qgemm_i8,
    dgemm,
    prefix_sum_rows,
    stencil5,
    spmv_ell,
    nchw_to_nhwc,
    upsample_bilinear_nhwc,
    argmax_rows,
    histogram,
    attention,
    gemm_gelu,
    compact_positive,
    conv_transpose2d_nhwc,
    fft_rows,
    quantize_rows_i8,
    triangular_solve,
    rope,
    bitonic_sort_rows,
    embedding_bag,
    pairwise_distance,
    causal_conv1d,
    requantize_i32,
    dequant_gemv_q4,
    topk_rows,
    depthwise_separable_nhwc,
    scatter_add,
    syrk,
    adam_step,
    bf16_gemv,
    depth_to_space_nhwc,
    lstm_cell,
    spmm_csr,
    bilinear_resize_nhwc,
    segment_sum,
    conv3d_ndhwc,
    complex_gemv,
    selective_scan,
    minplus_gemm,
    ball_query,
    cholesky,
    col2im_nhwc,
    mlp2,
    xnor_gemm,
    sobel_u8,
    viterbi,
    kmeans_assign,
    median_filter,
    layernorm_backward,
    stencil3d7,
    demosaic_bayer,
    spmv_csr,
    grid_sample_nhwc,
    lu_batched,
    bilateral_filter,
    sad_block_match,
    hash_join_probe,
    qr_householder_batched,
    lbp_histogram_u8,
    softmax_xent_backward,
    packed_symv,
    alpha_blend_rgba_u8,
    mel_filterbank,
    upsample_bilinear_backward,
    hough_lines,
    merge_sort_rows,
    autocorr_lpc,
    deform_conv2d_nhwc,
    edge_softmax_csr,
    lucas_kanade_flow,
    rle_encode_mask,
    integral_image,
    dilate_max2d,
    searchsorted,
    winograd_f2x3,
    group_norm_nhwc,
    nms_boxes,
    tridiag_batched,
    edit_distance,
    radix_sort_u32,
    sddmm_csr,
    roi_align_nhwc,
    dct8x8,
    bsr_gemm,
    moe_expert_gemm,
    paged_attention,
    flash_attention,
    batched_small_gemm,
    gaussian_blur_sep,
    conv2d_weight_grad,
    sparse24_gemm,
    tensor_contraction,
    fir_decimate,
    yuv_to_rgb_u8,
    maxpool_backward_nhwc,
    varint_decode_u32,
    dropout_mask_scale,
    bicubic_resize_nhwc,
    dwt_haar_2d,
    csr_transpose,
    distance_transform,
    warp_affine_u8,
    connected_components,
    gru_cell,
    minhash_signature,
    lrn_cross_channel,
    rgb_to_hsv_u8,
};

/// One operator at one shape. Dimension names by operator:
///  gemm: M, N, K (C[M][N] += A[M][K] * B[K][N]);
///  conv2d_nhwc / conv2d_nchw: H, W, C (input), K (output channels), R, S (filter), stride 1,
///   no padding; depthwise_conv2d_nhwc: H, W, C, R, S; dense: M (outputs), K (inputs), batch 1.
///  The corpus operators (src/tuning/families.cpp and the README's table): batch_matmul NB, M, N,
///  K; gemv_transposed K, N (y[N] = A[K][N]^T x[K]); conv2d_strided_nhwc and conv2d_dilated_nhwc
///  as conv2d_nhwc plus stride / dilation; grouped_conv2d_nhwc plus G; pointwise_conv2d_nhwc H, W,
///  C, K; transpose2d M, N; im2col_nhwc H, W, C, R, S; elementwise_chain, softmax_rows and
///  layernorm_rows R, C; reduce_rows / reduce_cols M, N; batchnorm_nhwc H, W, C; embedding_gather
///  V (table rows), T (tokens), D (width); maxpool_nhwc / avgpool_nhwc H, W, C, R, S, stride;
///  qgemm_i8 and dgemm M, N, K; prefix_sum_rows R, C; stencil5 H, W (the grid; the interior is
///  written); spmv_ell M (rows), E (nonzeros per row), N (columns, a power of two); nchw_to_nhwc
///  C, H, W; upsample_bilinear_nhwc H, W, C (the input; the output is 2H x 2W); argmax_rows R, C;
///  histogram T (samples), B (bins, a power of two); attention L (tokens), D (width); gemm_gelu M,
///  N, K; compact_positive N; conv_transpose2d_nhwc H, W, C (the input), K, R, S, stride (the output
///  (H-1)*stride+R by (W-1)*stride+S); fft_rows B (rows), N (complex points, a power of two);
///  quantize_rows_i8 R, C; triangular_solve N; rope T (tokens), NH (heads), D (head width, even);
///  bitonic_sort_rows R, N (a power of two); embedding_bag G (bags), MAXBAG (most indices per bag),
///  V (table rows, a power of two), D (width); pairwise_distance N, M (points), D (width);
///  causal_conv1d L (steps), C (channels), K (taps); requantize_i32 M, N; dequant_gemv_q4 M, K (K/G
///  groups of G 4-bit weights per row); topk_rows R, C, K (the K largest of each row's C);
///  depthwise_separable_nhwc H, W, C (the input), K (output channels; 3x3 depthwise, valid);
///  scatter_add E (edges), D (width), N (nodes, a power of two); syrk N, K (C = A A^T, the lower
///  triangle, A N x K); adam_step N (parameters); bf16_gemv M, K (bfloat16 weights);
///  depth_to_space_nhwc H, W (the input), C (output channels), R (the block: input channels C R^2);
///  lstm_cell B (batch), H (hidden width; the gates B x 4H); spmm_csr M (rows), K (columns, a power
///  of two), E (nonzeros per row on average), N (dense columns); bilinear_resize_nhwc H, W, C (the
///  input), OH, OW (the output); segment_sum E (rows), D (width), S (segments, E/S rows on
///  average); conv3d_ndhwc D, H, W, C (the input), K (output channels; 3x3x3, valid);
///  complex_gemv M, N (complex, interleaved re and im); selective_scan T (time steps), D
///  (channels), N (states per channel); minplus_gemm M, N, K (C = min over k of A[i][k] + B[k][j]);
///  ball_query P (points), Q (query centres), K (indices kept per centre; the radius follows from P
///  and K); cholesky N (the factor of an N x N SPD matrix the kernel builds from its input);
///  col2im_nhwc H, W, C (the image), R, S (the taps; stride 1, valid: the columns (H-R+1)(W-S+1) x
///  RSC); mlp2 M (tokens), D (width), F (hidden); xnor_gemm M, N, K (bits; A M x K and B N x K packed 32
///  to an i32 word); sobel_u8 H, W (an 8-bit image; the output (H-2) x (W-2)); viterbi T (steps), S
///  (states); kmeans_assign N (points), D (dims), K (centroids);
///  median_filter H, W (the output; the image (H + 2) x (W + 2)); layernorm_backward N (rows), D
///  (width; the output dx, then dgamma and dbeta); stencil3d7 NZ, NY, NX (the grid, x unit-stride),
///  T (time steps);
///  demosaic_bayer H, W (the output, interleaved RGB; the RGGB mosaic (H + 2) x (W + 2)); spmv_csr M
///  (rows), N (columns, a power of two), E (nonzeros per row on average, power-law lengths);
///  grid_sample_nhwc H, W, C (the input), HO, WO (the output grid);
///  lu_batched NB (matrices), N (each N x N; the pivots, then the factors); bilateral_filter H, W,
///  K (the square window, odd; borders clamped); sad_block_match H, W (8-bit frames, multiples of 32),
///  R (the search range, +-R; dx, dy and the SAD per 8 x 8 block);
///  hash_join_probe NB (build rows, a power of two), NP (probe keys; a table scratch, then the
///  matched rows); qr_householder_batched NB (matrices), M, N (each M x N, M > N; R out, N x N);
///  lbp_histogram_u8 H, W (an 8-bit image), CS (square cells, 256 bins each);
///  softmax_xent_backward B (rows), C (classes; the logits, an i32 label input per row, dz out);
///  packed_symv N (the lower triangle row-packed, N (N + 1) / 2 floats; x, y); alpha_blend_rgba_u8
///  H, W (RGBA8 foreground and background, the blend out);
///  mel_filterbank F (frames), NB (power bins), M (mel filters; re, im in, F x M out);
///  upsample_bilinear_backward H, W, C (dX; dY 2H x 2W x C); hough_lines H, W (the image, at most
///  256 x 256), T (angles; an i32 accumulator T x (2D + 1), D the largest rho plus one);
///  merge_sort_rows R, N (rows of keys, N a power of two; the i32 stable permutation out);
///  autocorr_lpc F (frames, a multiple of 4), N (samples per frame), P (the order; F x P
///  coefficients out); deform_conv2d_nhwc H, W, C (the input), K (output channels; 3x3, stride 1,
///  padding 1, offsets H x W x 9 x 2);
///  edge_softmax_csr N (nodes, even), E (incoming edges per node on average, at most 64), H (heads;
///  scores and alphas edge-major); lucas_kanade_flow H, W (the flow; frames (H + 6) x (W + 6), a 5 x
///  5 window, (u, v) interleaved); rle_encode_mask N (masks), H, W (multiples of 16 and of CS), CS
///  (the coarse grid's cell; the count and W (H / CS + 2) + 2 run slots per mask);
///  integral_image H, W (an 8-bit image;
///  the i32 table H x W); dilate_max2d H, W (the image, multiples of K), K (the square window; stride
///  1, valid); searchsorted N (queries), M (sorted boundaries the kernel builds); winograd_f2x3 H, W,
///  C (the input), K
///  (output channels; 3x3, stride 1, valid, H - 2 and W - 2 even); group_norm_nhwc H, W, C, G (groups
///  of C/G channels); nms_boxes N (boxes, a multiple of 32); tridiag_batched NB (systems), N
///  (unknowns per system); edit_distance P (pairs), LA, LB (the two sequences' lengths); radix_sort_u32
///  N (keys); sddmm_csr M, N (the pattern's rows and columns, N a power of two), E (nonzeros per row
///  on average), K (features: out[p] = A[i] . B[j] per nonzero); roi_align_nhwc H, W, C (the feature
///  map), R (boxes), P (P x P bins per box), S (S x S samples per bin); dct8x8 H, W (the image,
///  multiples of 8); bsr_gemm M, K, N (Y[M][N] = W[M][K] X[K][N]), B (B x B blocks), D (the percentage
///  of blocks nonzero); moe_expert_gemm T (tokens), E (experts, a power of two), D (the width: each
///  expert D x D); paged_attention H (heads), L (context tokens), D (head width), P (tokens per page);
///  flash_attention L (tokens, a multiple of 32), D (head width); batched_small_gemm NB (matrices, a
///  multiple of 256), M, N, K (each C[b] M x N = A[b] M x K times B[b] K x N); gaussian_blur_sep H, W
///  (the image, H a multiple of 32), K (taps, odd; borders clamped); conv2d_weight_grad N, H, W, C
///  (the input), K (output channels; dW K x 3 x 3 x C of a 3x3 stride-1 convolution padded by 1);
///  sparse24_gemm M, K, N (C[M][N] = A[M][K] B[K][N], A 2:4 sparse, K a multiple of 8);
///  tensor_contraction NA, NC, NB, NK (C[a][c][b] = the sum over k of A[a][k][b] B[k][c]);
///  fir_decimate C (channels), N (outputs per channel), T (taps), D (decimation; x (N + T/D - 1) D
///  samples per channel); yuv_to_rgb_u8 H, W (the NV12 frame: Y H x W, UV (H/2) x (W/2) pairs; RGB
///  out); maxpool_backward_nhwc N, H, W, C (the input; 3x3 stride 2 padded by 1, dY ((H-1)/2+1) x
///  ((W-1)/2+1)); varint_decode_u32 N (values; a scratch of their LEB128 stream); dropout_mask_scale
///  N (elements), P (the percentage dropped); bicubic_resize_nhwc H, W, C (the input), OH, OW;
///  dwt_haar_2d N (images), H, W, L (levels; Y in the Mallat layout); csr_transpose M, N (the
///  pattern's rows and columns, N a power of two), E (nonzeros per row on average; the column
///  pointers, row indices and values out); distance_transform H, W (the mask's image; i32 chamfer 3-4
///  distances); warp_affine_u8 H, W (an 8-bit image, the output the same size); connected_components
///  H, W (the mask's image; i32 labels); gru_cell B (batch), I (input width), H (hidden width; W_ih
///  3H x I and W_hh 3H x H, gates r, z, n); minhash_signature D (documents), L (tokens each), K
///  (hash functions, a multiple of 16; S D x K); lrn_cross_channel C, H, W (one NCHW image; a
///  window of 5 channels); rgb_to_hsv_u8 H, W (interleaved 8-bit RGB in, HSV out).
struct Workload {
    std::string name;
    OpKind op = OpKind::gemm;
    std::map<std::string, int> dims;
    /// The operator family, what leave-one-family-out evaluation holds out together: "gemm" for
    /// both square-ish GEMMs, "conv2d" for NHWC and NCHW (one operator in two layouts), ...
    std::string family;

    [[nodiscard]] int dim(const std::string& d) const;
    /// Multiply-accumulates one execution performs; for operators without them, the arithmetic
    /// operations on elements (reductions, normalisations, pooling) or the elements moved (transpose,
    /// im2col, gather).
    [[nodiscard]] std::uint64_t macs() const;
    /// The kernel's buffers (inputs first, the output last).
    [[nodiscard]] std::vector<BufferSpec> buffers() const;
};

/// One point of a workload's schedule space.
struct Variant {
    std::string workload;             ///< Workload::name
    std::string id;                   ///< unique within the workload, e.g. "ti16-tj32-...-v1"
    std::map<std::string, int> knobs; ///< the schedule parameters, by name
    std::string source;               ///< the generated C kernel
    std::vector<BufferSpec> buffers;
    std::vector<std::string> flags; ///< compiler flags this schedule needs (vectorisation)

    /// "<workload>/<id>", unique across workloads.
    [[nodiscard]] std::string key() const { return workload + "/" + id; }
};

/// The built-in workloads: two GEMMs, conv2d NHWC and NCHW, depthwise conv2d, dense — realistic ML
/// shapes sized so that one call takes 20 µs – 2 ms natively. The experiment's default set.
std::vector<Workload> builtin_workloads();
/// The training corpus: the six built-in workloads first, then one or more workloads of every
/// other operator family an ML compiler generates (README, "Workloads"), each sized so that one
/// call takes roughly 20 µs – 1 ms natively and its slowest variant runs under 30 M instructions.
std::vector<Workload> corpus_workloads();
/// A corpus workload by name (the built-in ones included); throws Error(invalid_argument) listing
/// the names.
Workload workload_by_name(const std::string& name);
/// The family of a corpus workload by name, or `workload_name` itself for an unknown workload (so a
/// dataset row of a user's own kernel forms a family of its own).
std::string workload_family(const std::string& workload_name);

/// Every valid schedule of `workload` (hundreds), in a fixed pseudo-random order determined by
/// `seed`; at most `max_variants` of them (0 = all). Deterministic on every platform.
std::vector<Variant> enumerate_variants(const Workload& workload, std::size_t max_variants = 0, std::uint64_t seed = 1);
/// The workload's naive schedule — no tiling, the first loop orders, no unrolling, no
/// vectorisation, no packing, one pass per operation — which every other variant must agree with.
Variant reference_variant(const Workload& workload);

} // namespace simtune
