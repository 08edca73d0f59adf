# XGBoost is a comparison point for bench_predictors only, never a dependency of simtune.
# A plain library search: Debian's libxgboost-dev 1.7 CMake package is unusable without the
# xgboost-bin command (its targets file checks for /usr/bin/xgboost and aborts the configure).
if(TARGET bench_predictors)
  find_library(SIMTUNE_XGBOOST_LIBRARY xgboost)
  find_path(SIMTUNE_XGBOOST_INCLUDE_DIR xgboost/c_api.h)
  if(SIMTUNE_XGBOOST_LIBRARY AND SIMTUNE_XGBOOST_INCLUDE_DIR)
    target_include_directories(bench_predictors SYSTEM PRIVATE ${SIMTUNE_XGBOOST_INCLUDE_DIR})
    target_link_libraries(bench_predictors PRIVATE ${SIMTUNE_XGBOOST_LIBRARY})
    target_compile_definitions(bench_predictors PRIVATE SIMTUNE_HAVE_XGBOOST=1)
  else()
    message(STATUS "XGBoost not found: bench_predictors runs without the XGBoost comparison")
  endif()
endif()
