# Reads the #include lines of every source file below ROOT and fails when a
# file includes a layer above its own. Layers, bottom up (docs/architecture.md):
#   sim/ <- messages/ <- io/ <- actors/ <- runtime/
# report/ sits beside them and may include only sim/ and itself; bench/ and
# tests/ stand on top and may include anything.
# Usage: cmake -DROOT=<dir> -P check_layers.cmake
if(NOT DEFINED ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source dir> -P check_layers.cmake")
endif()

set(ALLOWED_sim      sim)
set(ALLOWED_messages sim messages)
set(ALLOWED_io       sim messages io)
set(ALLOWED_actors   sim messages io actors)
set(ALLOWED_report   sim report)
set(ALLOWED_runtime  sim messages io actors report runtime)
set(LAYERS sim messages io actors report runtime)

set(violations 0)
set(checked 0)
foreach(layer IN LISTS LAYERS)
  file(GLOB_RECURSE files "${ROOT}/${layer}/*.hpp" "${ROOT}/${layer}/*.cpp" "${ROOT}/${layer}/*.h")
  foreach(file IN LISTS files)
    math(EXPR checked "${checked} + 1")
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\".*$" "\\1" target "${line}")
      string(REGEX MATCH "^[^/]+" top "${target}")
      list(FIND LAYERS "${top}" is_layer)
      if(is_layer EQUAL -1)
        continue()  # a library's header, or one beside the file
      endif()
      list(FIND ALLOWED_${layer} "${top}" allowed)
      if(allowed EQUAL -1)
        file(RELATIVE_PATH rel "${ROOT}" "${file}")
        message(SEND_ERROR "${rel}: includes \"${target}\": ${layer}/ may include only ${ALLOWED_${layer}}")
        math(EXPR violations "${violations} + 1")
      endif()
    endforeach()
  endforeach()
endforeach()

if(checked EQUAL 0)
  message(FATAL_ERROR "no source files found below ${ROOT}")
endif()
if(violations GREATER 0)
  message(FATAL_ERROR "${violations} upward include(s) in ${checked} files")
endif()
message(STATUS "layering: ${checked} files, no upward include")
