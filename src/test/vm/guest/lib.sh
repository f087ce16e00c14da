# Sourced by the guest's scenario scripts: verdicts, facts, and starting the JVM under TCG.
set -u
results="$FB_WORK/results"
verdict_file="$results/$FB_SCENARIO.guest"
facts_file="$results/$FB_SCENARIO.facts"
: > "$facts_file"
JDK="$(cat "$FB_WORK/plan/jdk")"
JAR="$FB_SRC/target/framebridge.jar"
TEST_CLASSES="$FB_SRC/target/test-classes"
# C1 only: under TCG every compiled instruction is emulated, and C2's compile time is the largest part of a
# short JVM run. Crash reports go to the work share so they survive the guest.
JAVA_OPTS=(--enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
           -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m
           "-XX:ErrorFile=$FB_WORK/crash/hs_err_${FB_SCENARIO}_%p.log")

fact() { echo "$1=$2" >> "$facts_file"; echo "fact: $1=$2"; }
pass() { { echo "PASS${1:+: $1}"; cat "$facts_file"; } > "$verdict_file"; echo "PASS${1:+: $1}"; exit 0; }
fail() { { echo "FAIL: $*"; cat "$facts_file"; } > "$verdict_file"; echo "FAIL: $*"; exit 1; }

[[ -x "$JDK/bin/java" ]] || fail "no JDK at $JDK inside the guest (the host root is shared read-only over 9p: is it there on the host?)"
[[ -f "$JAR" ]] || fail "no $JAR in the checkout share"

crash_reports() { ls "$FB_WORK/crash"/hs_err_"${FB_SCENARIO}"_*.log 2>/dev/null | wc -l; }
# A JVM in a TCG guest with -cpu max has been seen to die of SIGILL in JIT-compiled code (about 1 start in 9):
# a crash with a new report is retried once, the report kept; a second crash is the scenario's failure.
crashed_since() { (($(crash_reports) > $1)); }
note_restart() {
  local report; report="$(ls -t "$FB_WORK/crash"/hs_err_"${FB_SCENARIO}"_*.log | head -1)"
  echo "JVM crashed ($(grep -m1 -o 'SIG[A-Z]*' "$report" || echo 'see report')); report kept: crash/$(basename "$report"); restarting once"
  fact jvm_restart "$(grep -m1 -o 'SIG[A-Z]*' "$report" || echo crash) crash/$(basename "$report")"
}

# fb ARGS… : runs the CLI in the foreground (stdout and stderr to ours); retried once after a JVM crash.
fb() {
  local before; before=$(crash_reports)
  "$JDK/bin/java" "${JAVA_OPTS[@]}" -jar "$JAR" "$@"
  local rc=$?
  if crashed_since "$before"; then note_restart; "$JDK/bin/java" "${JAVA_OPTS[@]}" -jar "$JAR" "$@"; rc=$?; fi
  return $rc
}

# guest_java CLASS ARGS… : a main class of the test sources (target/test-classes) with the jar.
guest_java() {
  local before; before=$(crash_reports)
  "$JDK/bin/java" "${JAVA_OPTS[@]}" -cp "$TEST_CLASSES:$JAR" "$@"
  local rc=$?
  if crashed_since "$before"; then note_restart; "$JDK/bin/java" "${JAVA_OPTS[@]}" -cp "$TEST_CLASSES:$JAR" "$@"; rc=$?; fi
  return $rc
}

# serve_bg LOG ARGS… : starts `serve` in the background and waits until it says it listens (sets SERVE_PID).
serve_bg() {
  local log="$1"; shift
  local attempt before
  for attempt in 1 2; do
    before=$(crash_reports)
    "$JDK/bin/java" "${JAVA_OPTS[@]}" -jar "$JAR" serve "$@" > "$log" 2>&1 &
    SERVE_PID=$!
    local waited=0
    while ((waited < 3000)); do
      grep -q "listening on" "$log" && grep -q "encoder " "$log" && return 0
      kill -0 "$SERVE_PID" 2>/dev/null || break
      sleep 0.1; waited=$((waited + 1))
    done
    if crashed_since "$before" && ((attempt == 1)); then note_restart; continue; fi
    kill "$SERVE_PID" 2>/dev/null
    echo "serve did not start listening within 300 s:"; cat "$log"
    return 1
  done
  return 1
}

# stop_serve LOG : SIGTERM; succeeds when serve finished what was in flight and said "stopped". (The JVM exits
# 143 after SIGTERM even when its shutdown hook completed; 0 is accepted too.)
stop_serve() {
  kill -TERM "$SERVE_PID" 2>/dev/null
  wait "$SERVE_PID"
  local rc=$?
  ((rc == 0 || rc == 143)) && grep -q "framebridge: stopped" "$1"
}
