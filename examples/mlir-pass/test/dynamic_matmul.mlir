// A matmul with dynamic shapes cannot be built as a candidate: it is left untiled, with a remark,
// and a static one beside it is still tuned.
func.func @dynamic(%A: memref<?x?xf32>, %B: memref<?x?xf32>, %C: memref<?x?xf32>) {
  linalg.matmul ins(%A, %B : memref<?x?xf32>, memref<?x?xf32>) outs(%C : memref<?x?xf32>)
  return
}

func.func @static(%A: memref<32x16xf32>, %B: memref<16x24xf32>, %C: memref<32x24xf32>) {
  linalg.matmul ins(%A, %B : memref<32x16xf32>, memref<16x24xf32>) outs(%C : memref<32x24xf32>)
  return
}
