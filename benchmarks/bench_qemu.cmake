# bench_qemu builds the test kernels of tests/kernels/ (their sources are read at run time).
if(TARGET bench_qemu)
  target_include_directories(bench_qemu PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(bench_qemu PRIVATE SIMTUNE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
# bench_stats_cache builds one test kernel the same way.
if(TARGET bench_stats_cache)
  target_include_directories(bench_stats_cache PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(bench_stats_cache PRIVATE SIMTUNE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
# bench_unicorn's sampled table runs bench_qemu's kernels.
if(TARGET bench_unicorn)
  target_include_directories(bench_unicorn PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(bench_unicorn PRIVATE SIMTUNE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
