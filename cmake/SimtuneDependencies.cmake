# The libraries simtune and its consumers need, all from Debian packages (cmake/setup-debian.sh).
# Shared by the build and by the installed simtuneConfig.cmake, so both find them the same way.
# LLVM's config (its FindFFI and FindTerminfo) and MPI's C component compile C test sources: a
# consumer whose project() enabled only CXX failed in them, so C is enabled here.
get_property(_simtune_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
if(NOT "C" IN_LIST _simtune_languages)
  enable_language(C)
endif()
unset(_simtune_languages)
include(CMakeFindDependencyMacro)
find_dependency(fmt)
find_dependency(Eigen3 3.4 NO_MODULE)
find_dependency(range-v3)
find_dependency(Threads)
find_dependency(PkgConfig)
# Unicorn and capstone ship pkg-config files only.
if(NOT TARGET PkgConfig::unicorn)
  pkg_check_modules(unicorn REQUIRED IMPORTED_TARGET GLOBAL unicorn)
endif()
if(NOT TARGET PkgConfig::capstone)
  pkg_check_modules(capstone REQUIRED IMPORTED_TARGET GLOBAL capstone)
endif()
# LLVM 15's MCA library for the pipeline collector (isa/pipeline_model.hpp): the shared libLLVM,
# linked privately; its headers never reach simtune's public ones.
if(NOT TARGET LLVM)
  find_dependency(LLVM 15 CONFIG HINTS /usr/lib/llvm-15/lib/cmake/llvm)
endif()
# simtune::mpi (built with SIMTUNE_WITH_MPI; simtuneConfig.cmake records the choice).
if(SIMTUNE_WITH_MPI)
  find_dependency(MPI COMPONENTS C)
endif()
