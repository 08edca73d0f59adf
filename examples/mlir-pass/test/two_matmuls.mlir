// Two static f32 matmuls of different shapes, in two functions: both are tuned.
func.func @square(%A: memref<64x64xf32>, %B: memref<64x64xf32>, %C: memref<64x64xf32>) {
  linalg.matmul ins(%A, %B : memref<64x64xf32>, memref<64x64xf32>) outs(%C : memref<64x64xf32>)
  return
}

func.func @oblong(%A: memref<96x32xf32>, %B: memref<32x48xf32>, %C: memref<96x48xf32>) {
  linalg.matmul ins(%A, %B : memref<96x32xf32>, memref<32x48xf32>) outs(%C : memref<96x48xf32>)
  return
}
