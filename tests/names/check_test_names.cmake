# Fails when a Catch2 TEST_CASE or SECTION name below ROOT contains a ';'.
# Why: catch_discover_tests hands each test name to CMake, which splits it at
# ';' into two CTest entries that match no test; without --warn NoTests each
# "passed" while the test itself never ran (15 tests did so, unnoticed).
# Reads every .cpp/.hpp below ROOT (EXCLUDE: a folder to skip, the fixture);
# a name may span lines and adjacent string literals ("a" "b"). Names made at
# run time (DYNAMIC_SECTION) cannot be read here; --warn NoTests covers them.
# Usage: cmake -DROOT=<dir> [-DEXCLUDE=<dir>] -P check_test_names.cmake
if(NOT DEFINED ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<tests dir> [-DEXCLUDE=<dir>] -P check_test_names.cmake")
endif()

# A name's string literals: TEST_CASE( "..." "..." , or TEST_CASE_METHOD(Fixture, "...".
set(space "[ \t\r\n]*")
set(literal "\"([^\"\\\\]|\\\\.)*\"")
set(named_macro "(TEST_CASE|SECTION|SCENARIO|GIVEN|WHEN|THEN|AND_GIVEN|AND_WHEN|AND_THEN)${space}\\(${space}")
set(method_macro "TEST_CASE_METHOD${space}\\(${space}[A-Za-z_:<>0-9]+${space},${space}")
set(name_pattern "(${named_macro}|${method_macro})(${literal}${space})+")

file(GLOB_RECURSE files "${ROOT}/*.cpp" "${ROOT}/*.hpp")
if(DEFINED EXCLUDE)
  # A prefix compared as text (a regex would misread '+' or '.' in a path).
  set(kept)
  foreach(file IN LISTS files)
    string(FIND "${file}" "${EXCLUDE}/" at)
    if(NOT at EQUAL 0)
      list(APPEND kept "${file}")
    endif()
  endforeach()
  set(files ${kept})
endif()

set(bad 0)
set(bad_files 0)
set(checked 0)
set(names 0)
foreach(file IN LISTS files)
  math(EXPR checked "${checked} + 1")
  file(READ "${file}" text)
  # CMake strings are lists: stand-ins keep ';' and brackets from splitting them.
  string(REPLACE ";" "<semicolon>" text "${text}")
  string(REPLACE "[" "<lbracket>" text "${text}")
  string(REPLACE "]" "<rbracket>" text "${text}")
  set(line 1)
  set(file_bad 0)
  while(text MATCHES "${name_pattern}")
    set(found "${CMAKE_MATCH_0}")
    math(EXPR names "${names} + 1")
    string(FIND "${text}" "${found}" at)
    string(SUBSTRING "${text}" 0 ${at} before)
    string(REGEX MATCHALL "\n" newlines "${before}")
    list(LENGTH newlines lines_before)
    math(EXPR line "${line} + ${lines_before}")
    if(found MATCHES "<semicolon>")
      string(REGEX REPLACE "\"${space}\"" "" shown "${found}")  # "a" "b" -> "ab"
      string(REGEX REPLACE "[\r\n]+${space}" " " shown "${shown}")
      string(STRIP "${shown}" shown)
      string(REPLACE "<semicolon>" ";" shown "${shown}")
      string(REPLACE "<lbracket>" "[" shown "${shown}")
      string(REPLACE "<rbracket>" "]" shown "${shown}")
      file(RELATIVE_PATH rel "${ROOT}" "${file}")
      message(SEND_ERROR "${rel}:${line}: ${shown}: a ';' in a test name (use ',')")
      math(EXPR bad "${bad} + 1")
      set(file_bad 1)
    endif()
    string(REGEX MATCHALL "\n" newlines "${found}")
    list(LENGTH newlines lines_in)
    math(EXPR line "${line} + ${lines_in}")
    string(LENGTH "${found}" length)
    math(EXPR after "${at} + ${length}")
    string(SUBSTRING "${text}" ${after} -1 text)
  endwhile()
  math(EXPR bad_files "${bad_files} + ${file_bad}")
endforeach()

if(checked EQUAL 0)
  message(FATAL_ERROR "no source files found below ${ROOT}")
endif()
if(bad GREATER 0)
  message(FATAL_ERROR "${bad} of ${names} test names with a ';', in ${bad_files} of ${checked} files")
endif()
message(STATUS "test names: ${names} TEST_CASE and SECTION names in ${checked} files, none with a ';'")
