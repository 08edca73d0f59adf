# Tests of the user-facing surface: the simtune command (tests/cli/run.sh, one CTest test per
# section), the Python binding (tests/python, unittest with Debian's /usr/bin/python3) and the
# three quickstart snippets in examples/. The snippets use the host target's default model, the
# pretrained models/host-x86-64.model compiled into the library.
if(TARGET simtune_cli)
  set(cli_work ${CMAKE_CURRENT_BINARY_DIR}/cli-work)
  foreach(section usage binaries dataset models allfail userdir userdir_board)
    add_test(NAME cli_${section}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.sh ${section} $<TARGET_FILE:simtune_cli> ${cli_work}/${section}
                     ${PROJECT_SOURCE_DIR})
    set_tests_properties(cli_${section} PROPERTIES TIMEOUT 600 PASS_REGULAR_EXPRESSION "cli ${section}: all checks passed")
  endforeach()
  # The models section trains on the dataset section's CSV.
  set_tests_properties(cli_dataset PROPERTIES FIXTURES_SETUP cli_dataset_csv)
  set_tests_properties(cli_models PROPERTIES FIXTURES_REQUIRED cli_dataset_csv
                       ENVIRONMENT "SIMTUNE_CLI_DATASET=${cli_work}/dataset/data.csv")

  # The helper itself fails cleanly (exit 1, its message) when the program it checks fails.
  add_test(NAME cli_helper_fails_cleanly
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_failure.sh "check(s) failed in section usage"
                   ${CMAKE_CURRENT_SOURCE_DIR}/cli/run.sh usage /bin/false ${cli_work}/negative ${PROJECT_SOURCE_DIR})
  set_tests_properties(cli_helper_fails_cleanly PROPERTIES TIMEOUT 120 PASS_REGULAR_EXPRESSION "negative test passed")

  add_test(NAME quickstart_cli COMMAND bash ${PROJECT_SOURCE_DIR}/examples/quickstart.sh)
  set_tests_properties(quickstart_cli PROPERTIES TIMEOUT 600
                       ENVIRONMENT "PATH=${PROJECT_BINARY_DIR}:$ENV{PATH};QUICKSTART_DIR=${CMAKE_CURRENT_BINARY_DIR}/quickstart-cli")
endif()

if(SIMTUNE_BUILD_PYTHON)
  set(python_path ${PROJECT_BINARY_DIR}/bindings/python)
  foreach(script test_simtune test_simtune_tvm)
    add_test(NAME python_${script} COMMAND /usr/bin/python3 -m unittest -v ${script}
             WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/python)
    set_tests_properties(python_${script} PROPERTIES TIMEOUT 600 ENVIRONMENT "PYTHONPATH=${python_path}")
  endforeach()
  add_test(NAME quickstart_python COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/examples/quickstart.py)
  set_tests_properties(quickstart_python PROPERTIES TIMEOUT 600 ENVIRONMENT "PYTHONPATH=${python_path}"
                      )
endif()

if(SIMTUNE_BUILD_EXAMPLES)
  add_test(NAME quickstart_cpp COMMAND example_quickstart)
  set_tests_properties(quickstart_cpp PROPERTIES TIMEOUT 600)
endif()
