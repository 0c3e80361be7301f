# qgrant screen end to end: exports never overwrite the registry, and a formula in a unit's name
# reaches the CSV neutralised. Invoked by ctest with -DQGRANT=<binary> -DROOT=<repository>
# -DWORK=<scratch folder>.
file(MAKE_DIRECTORY ${WORK})

function(expect condition_text)
  if(NOT (${ARGN}))
    message(FATAL_ERROR "${condition_text}")
  endif()
endfunction()

function(run_screen)
  execute_process(COMMAND ${QGRANT} screen --policy ${ROOT}/policies/sz-quality-brand --as-of 2026-06-01 --quiet ${ARGN}
                  OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr RESULT_VARIABLE code)
  set(err "${stderr}" PARENT_SCOPE)
  set(rc "${code}" PARENT_SCOPE)
endfunction()

# A registry whose unit name is a spreadsheet formula.
file(READ ${ROOT}/examples/registry.jsonl registry)
string(REPLACE "深圳市示例科技有限公司" "=HYPERLINK(\\\"http://x.example\\\",\\\"点我\\\")" registry "${registry}")
file(WRITE ${WORK}/registry.jsonl "${registry}")
file(SHA256 ${WORK}/registry.jsonl before)

foreach(option --csv --xlsx)
  run_screen(${option} ${WORK}/registry.jsonl ${WORK}/registry.jsonl)
  expect("${option} onto the registry: exit ${rc}, expected 2\n${err}" rc EQUAL 2)
  expect("${option} onto the registry: no clear error: ${err}" err MATCHES "拒绝覆盖.*refusing to overwrite")
  file(SHA256 ${WORK}/registry.jsonl after)
  expect("${option} onto the registry changed it" before STREQUAL after)
endforeach()

run_screen(--csv ${WORK}/candidates.csv ${WORK}/registry.jsonl)
expect("screen --csv: exit ${rc}\n${err}" rc EQUAL 0)
file(READ ${WORK}/candidates.csv csv)
expect("the formula reached the CSV live:\n${csv}" NOT csv MATCHES ",=HYPERLINK")
expect("the formula was not neutralised:\n${csv}" csv MATCHES ",\"'=HYPERLINK")
