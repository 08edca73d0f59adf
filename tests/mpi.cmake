# Distributed dataset building and tuning (SIMTUNE_WITH_MPI): tests/mpi/run.sh runs the simtune
# command under `mpirun -np 2` and checks its output against a single-process run, one CTest test
# per section. mpirun is Debian's Open MPI (found by FindMPI in SimtuneDependencies.cmake).
if(SIMTUNE_WITH_MPI AND TARGET simtune_cli)
  foreach(section dataset tune failures)
    add_test(NAME mpi_${section}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/mpi/run.sh ${section} $<TARGET_FILE:simtune_cli>
                     ${CMAKE_CURRENT_BINARY_DIR}/mpi-work/${section} ${PROJECT_SOURCE_DIR} ${MPIEXEC_EXECUTABLE})
    set_tests_properties(mpi_${section} PROPERTIES TIMEOUT 900 PASS_REGULAR_EXPRESSION "mpi ${section}: all checks passed")
  endforeach()
  # The helper itself fails cleanly (exit 1, its message) when the program it checks fails.
  add_test(NAME mpi_helper_fails_cleanly
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_failure.sh "check(s) failed in section tune"
                   ${CMAKE_CURRENT_SOURCE_DIR}/mpi/run.sh tune /bin/false ${CMAKE_CURRENT_BINARY_DIR}/mpi-work/negative
                   ${PROJECT_SOURCE_DIR} ${MPIEXEC_EXECUTABLE})
  set_tests_properties(mpi_helper_fails_cleanly PROPERTIES TIMEOUT 120 PASS_REGULAR_EXPRESSION "negative test passed")
elseif(TARGET simtune_cli)
  # Built without MPI but started by mpirun: the command must refuse rather than run N copies.
  find_program(SIMTUNE_MPIRUN NAMES mpirun mpiexec)
  if(SIMTUNE_MPIRUN)
    add_test(NAME mpi_unsupported
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/mpi/run.sh unsupported $<TARGET_FILE:simtune_cli>
                     ${CMAKE_CURRENT_BINARY_DIR}/mpi-work/unsupported ${PROJECT_SOURCE_DIR} ${SIMTUNE_MPIRUN})
    set_tests_properties(mpi_unsupported PROPERTIES TIMEOUT 300 PASS_REGULAR_EXPRESSION "mpi unsupported: all checks passed")
  endif()
endif()
