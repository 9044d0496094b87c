# canopy_add_test(NAME <name> SOURCES <files...> [LIBS <targets...>] [LABELS <labels...>]
#                 [ARGS <command-line arguments...>] [INTERNAL_HEADERS])
#
# One GoogleTest binary per call, registered with ctest under NAME. Tests that
# need the real Cassandra node started by scripts/cassandra carry the label
# `integration`; pure tests carry `unit`.
#
# A test sees the public headers of the libraries it links (include/) and
# tests/. INTERNAL_HEADERS adds src/ as well, for tests of a module's
# internals (codecs, spool, router...): each call that uses it says why.
function(canopy_add_test)
  cmake_parse_arguments(T "INTERNAL_HEADERS" "NAME" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  if(T_INTERNAL_HEADERS)
    target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
endfunction()

# Runs the project's venv Python (.venv from scripts/setup): tests written in
# Python use it as their command, so they are registered even before the venv
# exists and then fail saying to run scripts/setup.
set(CANOPY_VENV_PYTHON_WRAPPER ${PROJECT_SOURCE_DIR}/tests/with_venv_python.sh)
