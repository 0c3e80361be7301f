# Golden test of `qgrant check` on one deliberately broken policy (see CMakeLists.txt here).
#   -DQGRANT=<the binary> -DROOT=<repository root> -DCASE=<folder or file, relative to ROOT>
#   [-DEXPECTED=<file relative to ROOT>, default CASE without .yaml + .expected] [-DUPDATE=ON]
# Runs `qgrant check CASE` from ROOT (so the paths in messages are relative), requires exit
# status 1 and stderr equal to EXPECTED, after replacing any absolute ROOT/ prefix by nothing.
foreach(var QGRANT ROOT CASE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_golden.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED EXPECTED)
  string(REGEX REPLACE "\\.ya?ml$" "" EXPECTED "${CASE}")
  set(EXPECTED "${EXPECTED}.expected")
endif()

execute_process(COMMAND ${QGRANT} check ${CASE}
                WORKING_DIRECTORY ${ROOT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REPLACE "${ROOT}/" "" err "${err}")

if(UPDATE)
  file(WRITE ${ROOT}/${EXPECTED} "${err}")
  message(STATUS "wrote ${EXPECTED} (exit status ${rc}):\n${err}")
  return()
endif()

if(NOT EXISTS ${ROOT}/${EXPECTED})
  message(FATAL_ERROR "no expected output ${EXPECTED}; stderr was:\n${err}")
endif()
file(READ ${ROOT}/${EXPECTED} want)
set(failed "")
if(NOT rc STREQUAL "1")
  string(APPEND failed "exit status: expected 1, got ${rc}\n")
endif()
if(NOT err STREQUAL want)
  string(APPEND failed "stderr differs from ${EXPECTED}\n--- expected\n${want}--- actual\n${err}---\n")
endif()
if(failed)
  # NOTICE prints the text as it is (FATAL_ERROR would re-wrap the source lines and carets).
  message(NOTICE "qgrant check ${CASE}:\n${failed}stdout:\n${out}")
  message(FATAL_ERROR "qgrant check ${CASE}: see above")
endif()
