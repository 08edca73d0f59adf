// An f64 matmul whose shape the tile sizes need not divide (partial tiles), beside a matmul on
// tensors, which is left untiled with a remark (bufferize first).
func.func @f64_matmul(%A: memref<24x20xf64>, %B: memref<20x12xf64>, %C: memref<24x12xf64>) {
  linalg.matmul ins(%A, %B : memref<24x20xf64>, memref<20x12xf64>) outs(%C : memref<24x12xf64>)
  return
}

func.func @on_tensors(%A: tensor<8x8xf32>, %B: tensor<8x8xf32>, %C: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %0 = linalg.matmul ins(%A, %B : tensor<8x8xf32>, tensor<8x8xf32>) outs(%C : tensor<8x8xf32>) -> tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}
