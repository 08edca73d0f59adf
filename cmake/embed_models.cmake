# Pretrained models under models/*.model are compiled into the library as strings, so
# simtune::default_model() works from the build tree and from an installed copy alike.
file(GLOB SIMTUNE_MODEL_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/models/*.model)
set(SIMTUNE_MODEL_ENTRIES "")
foreach(model IN LISTS SIMTUNE_MODEL_FILES)
  get_filename_component(name ${model} NAME_WE)
  file(READ ${model} text)
  string(APPEND SIMTUNE_MODEL_ENTRIES "    {\"${name}\", R\"SIMTUNE_MODEL(${text})SIMTUNE_MODEL\"},\n")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${model})
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/builtin_models.cpp.in ${PROJECT_BINARY_DIR}/generated/builtin_models.cpp @ONLY)
