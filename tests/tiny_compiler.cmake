# End-to-end tests of examples/tiny-compiler: for each built-in target, compile a small GEMM and a
# small padded conv2d with a dozen schedules and check the output (tests/tiny_compiler/check.py),
# and reject malformed descriptions with a clear message and a non-zero status.
# The examples are added after the tests; generator expressions resolve the target later.
if(SIMTUNE_BUILD_EXAMPLES)
  set(tiny_work ${CMAKE_CURRENT_BINARY_DIR}/tiny-compiler-work)
  set(tiny_check /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/tiny_compiler/check.py)
  foreach(target host-x86-64 cortex-a72 sifive-u74)
    add_test(NAME tiny_compiler_gemm_${target}
             COMMAND ${tiny_check} compile $<TARGET_FILE:tiny_compiler> ${tiny_work}/gemm-${target} ${target} 12
                     gemm M=48 N=64 K=40)
    add_test(NAME tiny_compiler_conv2d_${target}
             COMMAND ${tiny_check} compile $<TARGET_FILE:tiny_compiler> ${tiny_work}/conv2d-${target} ${target} 12
                     conv2d N=1 H=12 W=12 C=8 K=16 R=3 S=3 stride=1 pad=1 layout=nhwc)
    set_tests_properties(tiny_compiler_gemm_${target} tiny_compiler_conv2d_${target} PROPERTIES
                         TIMEOUT 600 PASS_REGULAR_EXPRESSION "tiny-compiler: all checks passed")
  endforeach()
  add_test(NAME tiny_compiler_conv2d_nchw_stride2
           COMMAND ${tiny_check} compile $<TARGET_FILE:tiny_compiler> ${tiny_work}/conv2d-nchw sifive-u74 8
                   conv2d N=1 H=13 W=11 C=4 K=8 R=3 S=3 stride=2 pad=1 layout=nchw)
  set_tests_properties(tiny_compiler_conv2d_nchw_stride2 PROPERTIES
                       TIMEOUT 600 PASS_REGULAR_EXPRESSION "tiny-compiler: all checks passed")
  # Every schedule fails to build (no cross compiler, or no compiler at all, on PATH): a clear
  # error naming the compiler, exit 1, fast.
  foreach(target host-x86-64 cortex-a72)
    add_test(NAME tiny_compiler_all_fail_${target}
             COMMAND ${tiny_check} all-fail $<TARGET_FILE:tiny_compiler> ${target} gemm M=16 N=16 K=16)
    set_tests_properties(tiny_compiler_all_fail_${target} PROPERTIES
                         TIMEOUT 120 PASS_REGULAR_EXPRESSION "tiny-compiler: all checks passed")
  endforeach()
  # check.py itself fails cleanly (exit 1, its message) when the compiler it checks fails.
  add_test(NAME tiny_compiler_check_fails_cleanly
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_failure.sh "tiny-compiler: 1 check(s) failed"
                   ${tiny_check} compile /bin/false ${tiny_work}/negative host-x86-64 4 gemm M=4 N=4 K=4)
  set_tests_properties(tiny_compiler_check_fails_cleanly PROPERTIES TIMEOUT 120 PASS_REGULAR_EXPRESSION "negative test passed")
  set(tiny_reject_cases
      "unknown-op|unknown operator 'matmul'|matmul M=4 N=4 K=4"
      "missing-key|gemm needs K=<integer>|gemm M=4 N=4"
      "bad-value|M=x4 is not an integer|gemm M=x4 N=4 K=4"
      "bad-layout|layout 'nwhc' is not nhwc or nchw|conv2d H=8 W=8 C=4 K=4 R=3 S=3 layout=nwhc"
      "big-filter|larger than the padded|conv2d H=2 W=8 C=4 K=4 R=5 S=3 pad=1")
  foreach(case IN LISTS tiny_reject_cases)
    string(REPLACE "|" ";" parts "${case}")
    list(GET parts 0 name)
    list(GET parts 1 message)
    list(GET parts 2 description)
    separate_arguments(words UNIX_COMMAND "${description}")
    add_test(NAME tiny_compiler_reject_${name}
             COMMAND ${tiny_check} reject $<TARGET_FILE:tiny_compiler> "${message}" ${words})
    set_tests_properties(tiny_compiler_reject_${name} PROPERTIES
                         TIMEOUT 120 PASS_REGULAR_EXPRESSION "tiny-compiler: all checks passed")
  endforeach()
endif()
