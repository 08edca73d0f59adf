# bench_unicorn_store: Unicorn's own store path, no simtune in between (a C program against
# libunicorn alone; benchmarks/RESULTS.md, issue 17 item 4).
add_executable(bench_unicorn_store ${CMAKE_CURRENT_SOURCE_DIR}/bench_unicorn_store.c)
target_link_libraries(bench_unicorn_store PRIVATE PkgConfig::unicorn)
target_compile_options(bench_unicorn_store PRIVATE -Wall -Wextra -Wpedantic)
