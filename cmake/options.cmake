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
# ThreadSanitizer: the code of the project only; the prebuilt third-party libraries are not
# instrumented. The threaded tests report nothing from them, so there is no suppressions file.
if(MDHUB_TSAN)
  if(MDHUB_SANITIZE)
    message(FATAL_ERROR "MDHUB_TSAN and MDHUB_SANITIZE cannot be combined (one sanitizer runtime per process)")
  endif()
  target_compile_options(mdhub_build_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  # TSan does not model std::atomic_thread_fence (GCC rejects it under -Werror=tsan). Asio
  # brackets every handler call with such fences; without them (its own switch for this)
  # its cross-thread hand-offs still go through the scheduler's mutex, which TSan sees.
  target_compile_definitions(mdhub_build_flags INTERFACE BOOST_ASIO_DISABLE_FENCED_BLOCK)
  # Asio's executor reference counts (detail/atomic_count.hpp) keep a fence there is no switch
  # for: GCC's warning names Asio's code, not ours (ours has no fence), so it is not an error.
  target_compile_options(mdhub_build_flags INTERFACE -Wno-tsan)

  target_link_options(mdhub_build_flags INTERFACE -fsanitize=thread)
  # Every test stops at its first report; ctest sets this for each test of this build.
  set(MDHUB_SAN_ENV "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1")
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

# mdhub_threaded_tests builds what the tests labelled threaded need (tools/test, tsan preset).
function(mdhub_threaded_test_target name)
  if(NOT TARGET mdhub_threaded_tests)
    add_custom_target(mdhub_threaded_tests)
  endif()
  add_dependencies(mdhub_threaded_tests ${name})
endfunction()

# mdhub_pure_tests builds the tests labelled pure: the pure rooms (book, JSON, venue parsers,
# engine), no sockets and no threads; CI runs them under ASan + UBSan (build/fuzz).
function(mdhub_pure_test_target name)
  if(NOT TARGET mdhub_pure_tests)
    add_custom_target(mdhub_pure_tests)
  endif()
  add_dependencies(mdhub_pure_tests ${name})
endfunction()

# mdhub_test(NAME SOURCES ... LIBS ... [LABEL label]): a GoogleTest executable registered with
# CTest. LABEL threaded marks those that run code on more than one thread (tools/test runs
# them under ThreadSanitizer), LABEL pure those of the pure rooms (under ASan + UBSan). One
# label only: test discovery does not carry lists.
function(mdhub_test name)
  cmake_parse_arguments(T "" "LABEL" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main mdhub_options)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE MDHUB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  include(GoogleTest)
  set(props TIMEOUT 300)
  if(T_LABEL)
    list(APPEND props LABELS ${T_LABEL})
  endif()
  if(MDHUB_SAN_ENV)
    list(APPEND props ENVIRONMENT ${MDHUB_SAN_ENV})
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES ${props})
  if(T_LABEL STREQUAL "threaded")
    mdhub_threaded_test_target(${name})
  elseif(T_LABEL STREQUAL "pure")
    mdhub_pure_test_target(${name})
  endif()
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
