# The consumer-project tests: simtune::simtune through find_package and through add_subdirectory.
foreach(mode find_package add_subdirectory)
  add_test(NAME consumer_${mode}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/consumer/check.sh ${mode} ${PROJECT_SOURCE_DIR}
                   ${PROJECT_BINARY_DIR} ${CMAKE_CURRENT_BINARY_DIR}/consumer-${mode})
  set_tests_properties(consumer_${mode} PROPERTIES TIMEOUT 900 RESOURCE_LOCK consumer
                       PASS_REGULAR_EXPRESSION "consumer: built .* for x86-64 with 1 buffer")
endforeach()
# The helper itself fails cleanly (exit 1, its message) when a step fails: here, installing from a
# build folder that does not exist.
add_test(NAME consumer_helper_fails_cleanly
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_failure.sh "consumer (find_package): FAILED"
                 ${CMAKE_CURRENT_SOURCE_DIR}/consumer/check.sh find_package ${PROJECT_SOURCE_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/no-such-build ${CMAKE_CURRENT_BINARY_DIR}/consumer-negative)
set_tests_properties(consumer_helper_fails_cleanly PROPERTIES TIMEOUT 120 PASS_REGULAR_EXPRESSION "negative test passed")
