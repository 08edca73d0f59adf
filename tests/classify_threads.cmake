# Classifiers first used by several threads at once (tests/classify_threads.cpp): a fresh process
# per trial, because capstone 4.0.2's race is in its first decode of a process.
add_executable(classify_threads ${CMAKE_CURRENT_SOURCE_DIR}/classify_threads.cpp)
target_link_libraries(classify_threads PRIVATE simtune::simtune)
target_compile_options(classify_threads PRIVATE -Wall -Wextra -Wpedantic)
add_test(NAME classify_threads COMMAND classify_threads 300)
set_tests_properties(classify_threads PROPERTIES TIMEOUT 300
                     PASS_REGULAR_EXPRESSION "classify threads: all [0-9]+ trials agree")
