// simtune-mlir-opt: mlir-opt with every upstream dialect and pass, plus simtune-tile-matmul.
//   simtune-mlir-opt --simtune-tile-matmul="target=cortex-a72 tiles=8,8,8;32,32,8" in.mlir
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "TileMatmulPass.h"

int main(int argc, char** argv) {
    mlir::DialectRegistry registry;
    mlir::registerAllDialects(registry);
    mlir::registerAllPasses();
    simtune_mlir::registerTileMatmulPass();
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, "simtune MLIR optimizer driver (mlir-opt + simtune-tile-matmul)\n", registry));
}
