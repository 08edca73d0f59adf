# Interruption: `simtune dataset` killed at random moments (SIGINT, SIGTERM, SIGHUP) and resumed
# must write the CSV an uninterrupted run writes and leave no process and no scratch directory
# behind (tests/interrupt/run.py). Five kills here; benchmarks/interrupt.sh runs twenty.
if(TARGET simtune_cli)
  add_test(NAME interrupt_dataset
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/interrupt/run.py $<TARGET_FILE:simtune_cli>
                   ${CMAKE_CURRENT_BINARY_DIR}/interrupt-work --kills 5)
  set_tests_properties(interrupt_dataset PROPERTIES TIMEOUT 600
                       PASS_REGULAR_EXPRESSION "interrupt test: all checks passed")
endif()
