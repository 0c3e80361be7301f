# qgrant allocate end to end, as a program officer would run it. Invoked by ctest with
#   -DQGRANT=<binary> -DDATA=<tests/alloc/data> -DWORK=<scratch folder>
cmake_policy(SET CMP0007 NEW)  # keep empty list elements: blank lines count
file(MAKE_DIRECTORY ${WORK})

# Runs `qgrant allocate ARGN`, leaving stdout in ${WORK}/out.jsonl and the exit code and stderr in
# the caller's `rc` and `err`.
function(run_allocate)
  execute_process(COMMAND ${QGRANT} allocate ${ARGN}
                  OUTPUT_FILE ${WORK}/out.jsonl ERROR_VARIABLE stderr RESULT_VARIABLE code)
  set(rc "${code}" PARENT_SCOPE)
  set(err "${stderr}" PARENT_SCOPE)
endfunction()

# expect(MESSAGE CONDITION...): the condition names variables rather than expanding them, so that
# empty values survive the argument passing.
function(expect condition_text)
  if(NOT (${ARGN}))
    message(FATAL_ERROR "${condition_text}")
  endif()
endfunction()

# Checks the output of a run over decisions.jsonl: the non-blank input lines in order, other
# decisions unchanged, allocated_fen on eligible ones only, within the amount, summing to `total`.
function(check_output total)
  file(STRINGS ${DATA}/decisions.jsonl input ENCODING UTF-8)
  list(FILTER input EXCLUDE REGEX "^[ \t]*$")
  file(STRINGS ${WORK}/out.jsonl output ENCODING UTF-8)
  list(LENGTH input n_in)
  list(LENGTH output n_out)
  expect("expected ${n_in} output lines, got ${n_out}" n_in EQUAL n_out)
  set(sum 0)
  math(EXPR last "${n_in} - 1")
  foreach(i RANGE ${last})
    list(GET input ${i} in_line)
    list(GET output ${i} out_line)
    string(JSON in_id GET "${in_line}" id)
    string(JSON out_id GET "${out_line}" id)
    expect("line ${i}: id ${out_id} where ${in_id} was expected" in_id STREQUAL out_id)
    string(JSON outcome GET "${in_line}" outcome)
    if(outcome STREQUAL "eligible")
      string(JSON amount GET "${out_line}" amount_fen)
      string(JSON allocated GET "${out_line}" allocated_fen)
      string(JSON scale GET "${out_line}" allocation scale)
      expect("line ${i}: allocated ${allocated} > amount ${amount}" allocated LESS_EQUAL amount)
      expect("line ${i}: scale ${scale}" scale MATCHES "^[01]\\.[0-9][0-9][0-9][0-9]$")
      math(EXPR sum "${sum} + ${allocated}")
    else()
      expect("line ${i}: a ${outcome} decision was changed:\n${out_line}" in_line STREQUAL out_line)
    endif()
  endforeach()
  expect("allocated ${sum} in total, expected ${total}" sum EQUAL total)
endfunction()

# Pro rata: 435,000,000 fen approved, an odd budget, every fen of it allocated.
run_allocate(--budget-fen 300000001 ${DATA}/decisions.jsonl)
expect("pro_rata failed (${rc}): ${err}" rc EQUAL 0)
check_output(300000001)
expect("no summary on stderr: ${err}" err MATCHES "allocated 300000001 fen")

# Whole yuan: the budget rounded down to 100 fen.
run_allocate(--budget-fen 300000099 --unit-fen 100 ${DATA}/decisions.jsonl)
expect("unit run failed (${rc}): ${err}" rc EQUAL 0)
check_output(300000000)

# Ample budget: everyone in full.
run_allocate(--budget-fen 1000000000 ${DATA}/decisions.jsonl)
check_output(435000000)

# Tiers from a plan file: the quality awards (400,000,000) in full, the other 35,000,000 share 20,000,000.
run_allocate(--budget-fen 420000000 --plan ${DATA}/quality_awards_first.yaml ${DATA}/decisions.jsonl)
expect("tiers failed (${rc}): ${err}" rc EQUAL 0)
check_output(420000000)
file(STRINGS ${WORK}/out.jsonl output ENCODING UTF-8)
list(GET output 0 award)
string(JSON allocated GET "${award}" allocated_fen)
string(JSON tier GET "${award}" allocation tier)
expect("the China Quality Award got ${allocated} in tier ${tier}" allocated EQUAL 300000000 AND tier STREQUAL "quality_awards")
list(GET output 1 innovation)
string(JSON allocated GET "${innovation}" allocated_fen)
expect("quality innovation got ${allocated}, expected 25000000 × 20/35" allocated EQUAL 14285714)

# A malformed line stops the run: nothing on stdout, each bad line named on stderr, exit 1.
run_allocate(--budget-fen 100 ${DATA}/malformed.jsonl)
expect("malformed input exited ${rc}, expected 1" rc EQUAL 1)
file(READ ${WORK}/out.jsonl partial)
expect("malformed input still wrote output: ${partial}" NOT partial)
expect("line 2 not reported: ${err}" err MATCHES "malformed.jsonl:2: 不是有效的 JSON / not JSON")
expect("line 4 not reported: ${err}" err MATCHES "malformed.jsonl:4: [^\n]*an eligible decision needs \"amount_fen\"")

# Input that would pay wrongly is refused the same way (FILE:LINE: message, exit 1, no output).
# rejects(NAME MESSAGE_REGEX LINE...): a file of the given lines must be refused with the message.
function(rejects name pattern)
  string(REPLACE ";" "\n" text "${ARGN}")
  file(WRITE ${WORK}/${name}.jsonl "${text}\n")
  run_allocate(--budget-fen 100 ${WORK}/${name}.jsonl)
  file(READ ${WORK}/out.jsonl partial)
  expect("${name}: exit ${rc}, expected 1\n${err}" rc EQUAL 1)
  expect("${name}: wrote output: ${partial}" NOT partial)
  expect("${name}: expected ${pattern} in\n${err}" err MATCHES "${pattern}")
  set(err "${err}" PARENT_SCOPE)
endfunction()
set(ok_a [=[{"id":"A","outcome":"eligible","cap_fen":500,"amount_fen":300}]=])
set(ok_b [=[{"id":"B","outcome":"eligible","cap_fen":500,"amount_fen":200}]=])
# The same file given twice: every id repeats, each error naming both lines.
rejects(concatenated "concatenated.jsonl:3: [^\n]*decision id \"A\" repeats line 1" ${ok_a} ${ok_b} ${ok_a} ${ok_b})
expect("the second repeat is not named: ${err}" err MATCHES "concatenated.jsonl:4: [^\n]*\"B\" repeats line 2")
rejects(above_cap "above_cap.jsonl:2: [^\n]*amount_fen 600 > cap_fen 500" ${ok_a}
        [=[{"id":"C","outcome":"eligible","cap_fen":500,"amount_fen":600}]=])
rejects(repeated_key "repeated_key.jsonl:1: [^\n]*the member name \"amount_fen\" appears twice"
        [=[{"id":"C","outcome":"eligible","amount_fen":1,"amount_fen":900}]=])
rejects(nested_repeated_key "nested_repeated_key.jsonl:1: [^\n]*\"k\" appears twice"
        [=[{"id":"C","outcome":"eligible","amount_fen":1,"items":[{"k":1,"k":2}]}]=])
rejects(fraction "fraction.jsonl:1: [^\n]*whole number of fen from 0 to 10\\^15 \\(got 1.0\\)"
        [=[{"id":"C","outcome":"eligible","amount_fen":1.0}]=])
rejects(exponent "exponent.jsonl:1: [^\n]*\\(got 1e3\\)" [=[{"id":"C","outcome":"eligible","amount_fen":1e3}]=])
rejects(past_bound "past_bound.jsonl:1: [^\n]*\\(got 1000000000000001\\)"
        [=[{"id":"C","outcome":"eligible","amount_fen":1000000000000001}]=])
rejects(bad_cap "bad_cap.jsonl:1: [^\n]*\"cap_fen\"" [=[{"id":"C","outcome":"eligible","amount_fen":1,"cap_fen":-1}]=])

# Standard input from a pipe is spooled and read twice: the same output as from the file.
execute_process(COMMAND ${QGRANT} allocate --budget-fen 300000001 ${DATA}/decisions.jsonl
                OUTPUT_VARIABLE from_file ERROR_QUIET)
execute_process(COMMAND ${CMAKE_COMMAND} -E cat ${DATA}/decisions.jsonl
                COMMAND ${QGRANT} allocate --budget-fen 300000001
                OUTPUT_VARIABLE from_pipe ERROR_VARIABLE pipe_err RESULT_VARIABLE pipe_rc)
expect("stdin run failed (${pipe_rc}): ${pipe_err}" pipe_rc EQUAL 0)
expect("stdin gave other output than the file" from_file STREQUAL from_pipe)

# Unusable plan or arguments: exit 2.
run_allocate(--budget-fen 100 --plan ${DATA}/bad_plan.yaml ${DATA}/decisions.jsonl)
expect("bad plan exited ${rc}, expected 2" rc EQUAL 2)
expect("bad plan not explained: ${err}" err MATCHES "bad_plan.yaml:2:1: unknown key 'tier'")
run_allocate(--budget-fen 100 --strategy fifo ${DATA}/decisions.jsonl)
expect("unknown strategy exited ${rc}, expected 2" rc EQUAL 2)

# A directory is an unusable input (exit 2, the reason named); an empty file is an empty round.
run_allocate(--budget-fen 100 ${WORK})
expect("a directory as input exited ${rc}, expected 2: ${err}" rc EQUAL 2)
expect("a directory as input: no reason given: ${err}" err MATCHES "cannot read")
file(WRITE ${WORK}/empty.jsonl "")
run_allocate(--budget-fen 100 ${WORK}/empty.jsonl)
expect("an empty input exited ${rc}: ${err}" rc EQUAL 0)
file(READ ${WORK}/out.jsonl empty_out)
expect("an empty input wrote something: ${empty_out}" NOT empty_out)
