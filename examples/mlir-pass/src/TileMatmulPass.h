#pragma once
// Registers the simtune-tile-matmul pass (see TileMatmulPass.cpp) with MLIR's pass registry, so
// an MlirOptMain driver accepts --simtune-tile-matmul="target=... tiles=...".
namespace simtune_mlir {
void registerTileMatmulPass();
} // namespace simtune_mlir
