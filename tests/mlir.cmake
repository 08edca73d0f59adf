# Tests of examples/mlir-pass: simtune-mlir-opt tiles the matmuls of the modules in
# examples/mlir-pass/test for each built-in target; check.sh round-trips the output through the
# stock mlir-opt and checks it with simtune-mlir-check. The examples are configured after the
# tests, so the tests are added once the whole project has been read (if the example was built).
function(simtune_add_mlir_tests)
  if(NOT TARGET simtune-mlir-opt)
    return()
  endif()
  set(dir ${PROJECT_SOURCE_DIR}/examples/mlir-pass/test)
  set(work ${PROJECT_BINARY_DIR}/tests/mlir-work)
  set(tools $<TARGET_FILE:simtune-mlir-opt> $<TARGET_FILE:simtune-mlir-check> ${SIMTUNE_MLIR_OPT_TOOL})
  set(tiles "8,8,8$<SEMICOLON>16,16,16$<SEMICOLON>32,32,8")
  foreach(target host-x86-64 cortex-a72 sifive-u74)
    add_test(NAME mlir_two_matmuls_${target}
             COMMAND ${dir}/check.sh ${tools} ${dir}/two_matmuls.mlir ${target} ${tiles} 2 0 ${work}/two-${target})
    set_tests_properties(mlir_two_matmuls_${target} PROPERTIES TIMEOUT 600
                         PASS_REGULAR_EXPRESSION "two_matmuls.mlir: all checks passed")
  endforeach()
  add_test(NAME mlir_dynamic_matmul
           COMMAND ${dir}/check.sh ${tools} ${dir}/dynamic_matmul.mlir cortex-a72 "8,8,8$<SEMICOLON>16,8,8" 1 1
                   ${work}/dynamic "left untiled: its operands have dynamic shapes")
  set_tests_properties(mlir_dynamic_matmul PROPERTIES TIMEOUT 600
                       PASS_REGULAR_EXPRESSION "dynamic_matmul.mlir: all checks passed")
  add_test(NAME mlir_f64_and_tensor
           COMMAND ${dir}/check.sh ${tools} ${dir}/f64_and_tensor.mlir host-x86-64 "8,8,8$<SEMICOLON>16,5,7" 1 1
                   ${work}/f64 "left untiled: it works on tensors")
  set_tests_properties(mlir_f64_and_tensor PROPERTIES TIMEOUT 600
                       PASS_REGULAR_EXPRESSION "f64_and_tensor.mlir: all checks passed")
  # The same search simulated by QEMU instead of Unicorn.
  add_test(NAME mlir_two_matmuls_sifive-u74_qemu
           COMMAND ${dir}/check.sh ${tools} ${dir}/two_matmuls.mlir sifive-u74 ${tiles} 2 0 ${work}/two-sifive-u74-qemu
                   "" "simulator=qemu")
  set_tests_properties(mlir_two_matmuls_sifive-u74_qemu PROPERTIES TIMEOUT 600
                       PASS_REGULAR_EXPRESSION "two_matmuls.mlir: all checks passed")
  # On the host, the best two candidates are also timed natively and the choice made by measured time.
  add_test(NAME mlir_two_matmuls_host_confirmed
           COMMAND ${dir}/check.sh ${tools} ${dir}/two_matmuls.mlir host-x86-64 ${tiles} 2 0 ${work}/two-host-confirmed
                   "" "confirm=2")
  set_tests_properties(mlir_two_matmuls_host_confirmed PROPERTIES TIMEOUT 600 ENVIRONMENT "SIMTUNE_MLIR_CONFIRMED=2"
                       PASS_REGULAR_EXPRESSION "two_matmuls.mlir: all checks passed")
  add_test(NAME mlir_errors COMMAND ${dir}/errors.sh $<TARGET_FILE:simtune-mlir-opt> ${dir}/dynamic_matmul.mlir)
  set_tests_properties(mlir_errors PROPERTIES TIMEOUT 600 PASS_REGULAR_EXPRESSION "mlir errors: all checks passed")
  add_test(NAME mlir_scratch COMMAND ${dir}/scratch.sh $<TARGET_FILE:simtune-mlir-opt> ${dir}/two_matmuls.mlir)
  set_tests_properties(mlir_scratch PROPERTIES TIMEOUT 600 PASS_REGULAR_EXPRESSION "mlir scratch: all checks passed")
  # The helpers themselves fail cleanly (exit 1, their message) when the pass they check fails.
  add_test(NAME mlir_check_fails_cleanly
           COMMAND ${PROJECT_SOURCE_DIR}/tests/expect_failure.sh "FAILED: simtune-mlir-opt on two_matmuls.mlir exited with 1"
                   ${dir}/check.sh /bin/false $<TARGET_FILE:simtune-mlir-check> ${SIMTUNE_MLIR_OPT_TOOL} ${dir}/two_matmuls.mlir
                   cortex-a72 8,8,8 2 0 ${work}/negative)
  add_test(NAME mlir_errors_fails_cleanly
           COMMAND ${PROJECT_SOURCE_DIR}/tests/expect_failure.sh "FAILED: 'tiles=8,8' exited with 0"
                   ${dir}/errors.sh /bin/true ${dir}/dynamic_matmul.mlir)
  set_tests_properties(mlir_check_fails_cleanly mlir_errors_fails_cleanly PROPERTIES TIMEOUT 120
                       PASS_REGULAR_EXPRESSION "negative test passed")
  if(TARGET test_mlir_tile_search)
    add_test(NAME test_mlir_tile_search COMMAND test_mlir_tile_search)
    set_tests_properties(test_mlir_tile_search PROPERTIES TIMEOUT 600)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL simtune_add_mlir_tests)
