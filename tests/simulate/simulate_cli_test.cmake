# qgrant simulate end to end, as an analyst would run it. Invoked by ctest from the repository
# root with -DQGRANT=<binary> -DROOT=<repository> -DWORK=<scratch folder>. The figures are those
# worked out by hand in simulate_test.cc.
cmake_policy(SET CMP0007 NEW)  # keep empty CSV fields as list elements
file(MAKE_DIRECTORY ${WORK})
set(DATA ${ROOT}/tests/simulate/data)

# Runs `qgrant simulate ARGN` with the shipped policy as of 2026-06-30 and the test ledger;
# stdout, stderr and the exit code land in the caller's `out`, `err` and `rc`.
function(run_simulate)
  execute_process(COMMAND ${QGRANT} simulate --policy ${ROOT}/policies/sz-quality-brand --as-of 2026-06-30
                          --ledger ${DATA}/ledger.jsonl ${ARGN}
                  OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr RESULT_VARIABLE code)
  set(out "${stdout}" PARENT_SCOPE)
  set(err "${stderr}" PARENT_SCOPE)
  set(rc "${code}" PARENT_SCOPE)
endfunction()

function(expect condition_text)
  if(NOT (${ARGN}))
    message(FATAL_ERROR "${condition_text}")
  endif()
endfunction()

# The CSV row of `measure` (or "total") for the whole registry, split into a list.
function(csv_row file measure result)
  file(STRINGS ${file} lines ENCODING UTF-8)
  foreach(line IN LISTS lines)
    if(measure STREQUAL "total" AND line MATCHES "^all,,total,")
      string(REPLACE "," ";" row "${line}")
    elseif(line MATCHES "^all,,measure,${measure},")
      string(REPLACE "," ";" row "${line}")
    endif()
  endforeach()
  expect("no CSV row for ${measure} in ${file}" DEFINED row)
  set(${result} "${row}" PARENT_SCOPE)
endfunction()

# The example reform doubles the certificate ceiling: 15万 → 30万 for the same 2 units.
run_simulate(--reform ${ROOT}/examples/reform-double-certification.yaml --by district
             --csv ${WORK}/jsonl.csv --chart ${WORK}/chart.svg ${DATA}/registry.jsonl)
expect("simulate failed (${rc}): ${err}" rc EQUAL 0)
csv_row(${WORK}/jsonl.csv high_end_certification row)
list(GET row 7 base_units)
list(GET row 8 base_fen)
list(GET row 11 reform_fen)
list(GET row 14 change_fen)
list(GET row 15 change_wan)
expect("certificates: ${row}" base_units EQUAL 2 AND base_fen EQUAL 15000000 AND reform_fen EQUAL 30000000
       AND change_fen EQUAL 15000000 AND change_wan STREQUAL "15.000000")
csv_row(${WORK}/jsonl.csv total row)
list(GET row 6 registry_units)
list(GET row 7 base_units)
list(GET row 8 base_fen)
list(GET row 11 reform_fen)
expect("total: ${row}" registry_units EQUAL 11 AND base_units EQUAL 7 AND base_fen EQUAL 635000000
       AND reform_fen EQUAL 650000000)
file(STRINGS ${WORK}/jsonl.csv district_rows REGEX "^district,")
list(LENGTH district_rows n)
expect("expected 7 districts × 13 rows, found ${n}" n EQUAL 91)
expect("the table lacks the certificate row:\n${out}" out MATCHES "高端品质认证 +2 +15\\.00 +2 +30\\.00 +0 +\\+15\\.00")
expect("the bad line is not named: ${err}" err MATCHES "registry.jsonl:8: bad registry line: not valid JSON")
expect("the invalid application is not named: ${err}" err MATCHES "registry.jsonl:13: invalid application \\(baseline\\)")
file(READ ${WORK}/chart.svg svg)
expect("chart.svg is not an SVG" svg MATCHES "^<svg xmlns=\"http://www.w3.org/2000/svg\"")
expect("chart.svg lacks the certificate bars" svg MATCHES ">高端品质认证</text>")

# The same registry as CSV (one achievement per row) gives the same CSV, byte for byte.
run_simulate(--reform ${ROOT}/examples/reform-double-certification.yaml --by district --csv ${WORK}/csv.csv
             ${DATA}/registry.csv)
expect("simulate of the CSV registry failed (${rc}): ${err}" rc EQUAL 0)
file(READ ${WORK}/jsonl.csv from_jsonl)
file(READ ${WORK}/csv.csv from_csv)
expect("the CSV registry gives other figures" from_jsonl STREQUAL from_csv)
expect("the short CSV row is not named: ${err}" err MATCHES "registry.csv:12: bad registry line: expected 11 CSV fields, found 3")

# Another version of the policy as the reform: here the same folder, so nothing changes.
run_simulate(--reform-policy ${ROOT}/policies/sz-quality-brand --csv ${WORK}/same.csv ${DATA}/registry.jsonl)
expect("--reform-policy failed (${rc}): ${err}" rc EQUAL 0)
csv_row(${WORK}/same.csv total row)
list(GET row 13 change_units)
list(GET row 14 change_fen)
expect("the same policy changes the total: ${row}" change_units EQUAL 0 AND change_fen EQUAL 0)

# Unusable arguments or files: exit 2, nothing simulated.
run_simulate(${DATA}/registry.jsonl)
expect("no reform exited ${rc}, expected 2" rc EQUAL 2)
expect("no reform: ${err}" err MATCHES "give the reform")
file(WRITE ${WORK}/bad_header.csv "uscc,name,kind,district,registered_in_shenzhen,serious_dishonesty,measure,subject,obtained_on,facts\n")
run_simulate(--reform ${ROOT}/examples/reform-double-certification.yaml ${WORK}/bad_header.csv)
expect("a bad CSV header exited ${rc}, expected 2" rc EQUAL 2)
expect("bad header: ${err}" err MATCHES "bad_header.csv: line 1: unknown CSV column 'facts' \\(column 10\\)")
run_simulate(--reform ${ROOT}/examples/reform-double-certification.yaml --csv ${WORK}/no/such/dir/out.csv
             ${DATA}/registry.jsonl)
expect("an unwritable --csv exited ${rc}, expected 2" rc EQUAL 2)

# --csv or --chart naming an input file (here a hard link to the registry: the same inode under
# another name) is refused before anything is truncated, and the registry is left as it was.
file(COPY ${DATA}/registry.jsonl DESTINATION ${WORK})
file(CREATE_LINK ${WORK}/registry.jsonl ${WORK}/registry-link.jsonl RESULT link_rc)
file(SHA256 ${WORK}/registry.jsonl before)
foreach(option --csv --chart)
  run_simulate(--reform ${ROOT}/examples/reform-double-certification.yaml ${option} ${WORK}/registry-link.jsonl
               ${WORK}/registry.jsonl)
  expect("${option} onto the registry: exit ${rc}, expected 2\n${err}" rc EQUAL 2)
  expect("${option} onto the registry: no clear error: ${err}" err MATCHES "refusing to overwrite")
  file(SHA256 ${WORK}/registry.jsonl after)
  expect("${option} onto the registry changed it" before STREQUAL after)
endforeach()
run_simulate(--reform ${ROOT}/examples/reform-double-certification.yaml --csv ${DATA}/ledger.jsonl ${WORK}/registry.jsonl)
expect("--csv onto the ledger: exit ${rc}, expected 2" rc EQUAL 2)
