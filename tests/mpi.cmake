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
endif()
