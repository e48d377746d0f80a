# Warnings and sanitizers live on INTERFACE targets that every project target links, never
# in CMAKE_CXX_FLAGS, so third-party headers and flags stay untouched. mdhub_build_flags:
# code generation (arch, optimisation, sanitizers); mdhub_options adds our warnings.
add_library(mdhub_build_flags INTERFACE)
add_library(mdhub_options INTERFACE)
target_link_libraries(mdhub_options INTERFACE mdhub_build_flags)
target_compile_options(mdhub_options INTERFACE -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wpedantic)
# GCC 12 at -O3 reports false -Wrestrict / -Wstringop-overflow inside libstdc++'s
# std::string (GCC bug 105329), which -Werror turns into failures: release builds use -O2
# there (it comes after CMAKE_CXX_FLAGS_RELEASE on the command line, so it wins).
target_compile_options(mdhub_build_flags INTERFACE
  $<$<AND:$<CONFIG:Release>,$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-O2>)
if(MDHUB_WERROR)
  target_compile_options(mdhub_options INTERFACE -Werror)
endif()
if(MDHUB_ARCH AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  target_compile_options(mdhub_build_flags INTERFACE -march=${MDHUB_ARCH})
endif()
if(MDHUB_SANITIZE)
  target_compile_options(mdhub_build_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(mdhub_build_flags INTERFACE -fsanitize=address,undefined)
endif()
# Fuzzing: everything is instrumented for coverage (fuzzer-no-link) and checked by ASan +
# UBSan; only the fuzz executables link libFuzzer itself (fuzz/CMakeLists.txt).
if(MDHUB_FUZZ AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(mdhub_build_flags INTERFACE -fsanitize=fuzzer-no-link,address,undefined
    -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(mdhub_build_flags INTERFACE -fsanitize=address,undefined)
endif()
# Asio and Beast are compiled once, in src/net/asio_impl.cpp.
target_compile_definitions(mdhub_build_flags INTERFACE BOOST_ASIO_SEPARATE_COMPILATION
  BOOST_BEAST_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED)

# Third-party headers are system headers: their warnings are not ours to fix.
function(mdhub_target name)
  target_link_libraries(${name} PRIVATE mdhub_options)
endfunction()

# mdhub_test(NAME SOURCES ... LIBS ...): a GoogleTest executable registered with CTest.
function(mdhub_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main mdhub_options)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE MDHUB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES TIMEOUT 300)
endfunction()

# Adds every immediate subdirectory of the current source dir that has a CMakeLists.txt.
function(mdhub_add_subdirs)
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT children)
  foreach(child ${children})
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${child} AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()
