# Sourced by jmh/run, jmh/side-by-side, jmh/byref-side-by-side, jmh/convert-ab and jmh/scaling: the JDK, the jars built
# when sources changed, the C stream client, the raw test frames, and the alternating-rounds harness of the side by
# sides. Expects $root (the repository); the client, frames and results go to $work.

jdk="$("$root/bin/find-jdk")"
java=("$jdk/bin/java" --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED)

# newer_than JAR PATH...: true when JAR is missing or older than any file under the PATHs
newer_than() {
  local jar="$1"; shift
  [[ ! -f "$jar" || -n "$(find "$@" -newer "$jar" -print -quit)" ]]
}

# target/framebridge.jar and target/benchmarks.jar, each rebuilt only when its sources changed
build_framebridge_jar() {
  if newer_than "$root/target/framebridge.jar" "$root/src/main" "$root/pom.xml"; then
    (cd "$root" && mvn -B -q -DskipTests package) >&2
  fi
}
build_benchmarks_jar() {
  if newer_than "$root/target/benchmarks.jar" "$root/src/main" "$root/jmh/src" "$root/pom.xml"; then
    echo "jmh: building target/benchmarks.jar (mvn -Pjmh)…" >&2
    (cd "$root" && mvn -B -q -Pjmh -DskipTests package) >&2
  fi
}

# $work/stream-client from jmh/stream-client.c (vsockenc's stand-in), compiled when it or hxfr.h changed
build_stream_client() {
  if [[ ! -x "$work/stream-client" || "$root/jmh/stream-client.c" -nt "$work/stream-client" \
        || "$root/headers/hxfr.h" -nt "$work/stream-client" ]]; then
    cc -O2 -I"$root/headers" -o "$work/stream-client" "$root/jmh/stream-client.c"
  fi
}

# bgra_frames SIZE COUNT: makes $work/testsrc2-SIZE-COUNT.bgra once (ffmpeg's testsrc2) and sets $bgra to it
bgra_frames() {
  bgra="$work/testsrc2-$1-$2.bgra"
  if [[ ! -f "$bgra" ]]; then
    ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=$1:rate=30" -frames:v "$2" \
      -pix_fmt bgra -f rawvideo -y "$bgra"
  fi
}

# ---- alternating rounds (jmh/side-by-side, jmh/byref-side-by-side) ---------------------------------------------
# The caller sets three arrays of the same length: names (contender names), cmds (a command line each) and outs (the
# stem of the H.264 file each writes, $work/out-STEM.h264). Every command is timed as a whole process by hyperfine,
# one run per call, so that contenders alternate: a slow minute of a noisy machine falls on all of them rather than
# on one contender's back-to-back runs.

# write_with_server_cpu: $work/with-server-cpu PID FILE COMMAND... runs COMMAND and appends the CPU time process PID
# (a server) used meanwhile to FILE, so a summary can add the server's CPU to a client row's (hyperfine sees only the
# client). Clears earlier $work/server-cpu-*.txt.
write_with_server_cpu() {
  cat > "$work/with-server-cpu" <<'SH'
#!/usr/bin/env bash
# with-server-cpu PID FILE COMMAND...: runs COMMAND, appends the CPU seconds process PID used meanwhile to FILE
pid=$1 file=$2; shift 2
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks); "$@"; rc=$?; after=$(ticks)
echo "$(( after - before )) $(getconf CLK_TCK)" >> "$file"
exit $rc
SH
  chmod +x "$work/with-server-cpu"
  rm -f "$work"/server-cpu-*.txt
}

# run_round R: every contender once, in an order rotated by R, each a one-run hyperfine call with its own JSON
run_round() {
  local r=$1 n=${#names[@]} k i
  for ((k = 0; k < n; k++)); do
    i=$(( (k + r) % n ))
    rm -f "$work/out-${outs[$i]}.h264"
    hyperfine --style none --runs 1 --export-json "$work/round-$r-$i.json" -n "${names[$i]}" "${cmds[$i]}" \
      > /dev/null
  done
}

# check_420 TAG FRAMES: every contender's output is H.264 4:2:0 with FRAMES frames, or the comparison means nothing
# (TAG names the script in messages); stops the script otherwise.
check_420() {
  local tag=$1 frames=$2 i f fmt got bad=0
  for ((i = 0; i < ${#names[@]}; i++)); do
    f="$work/out-${outs[$i]}.h264"
    if [[ ! -s "$f" ]]; then
      echo "$tag: ${names[$i]} wrote no H.264 to $f" >&2; bad=1; continue
    fi
    fmt=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,profile,pix_fmt \
      -of default=noprint_wrappers=1:nokey=1 "$f" | paste -sd' ')
    got=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets \
      -of default=noprint_wrappers=1:nokey=1 "$f")
    printf '%s: %-38s %s, %s frames\n' "$tag" "${names[$i]}" "$fmt" "$got" >&2
    if [[ "$fmt" != h264\ *\ yuv420p ]]; then
      echo "$tag: FAIL: ${names[$i]} encoded \"$fmt\", not 4:2:0 (yuv420p): its input is not forced to" \
        "4:2:0, so it is not doing framebridge's job; fix its command in jmh/$tag" >&2
      bad=1
    elif [[ "$got" != "$frames" ]]; then
      echo "$tag: FAIL: ${names[$i]} wrote $got frames, not $frames" >&2; bad=1
    fi
  done
  ((bad == 0)) || { echo "$tag: stopping: the contenders do not encode the same thing" >&2; exit 1; }
}

# run_rounds TAG FRAMES RUNS [CHECK]: a warm-up round (checked by check_420 and by the function CHECK if given, then
# discarded), then RUNS rounds; leaves $work/results.json as one hyperfine call over all runs would have written it (times per run, mean user/system)
run_rounds() {
  local tag=$1 frames=$2 runs=$3 check=${4:-} r
  rm -f "$work"/round-*.json
  run_round 0
  check_420 "$tag" "$frames"
  [[ -z "$check" ]] || "$check"
  rm -f "$work"/round-0-*.json
  for ((r = 1; r <= runs; r++)); do
    echo "$tag: round $r of $runs ($(cut -d' ' -f1-3 /proc/loadavg) load)" >&2
    run_round "$r"
  done
  python3 - "$work" "$runs" "${names[@]}" <<'PY'
import json, statistics, sys
work, runs, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
results = []
for i, name in enumerate(names):
    rs = [json.load(open(f"{work}/round-{r}-{i}.json"))["results"][0] for r in range(1, runs + 1)]
    results.append({"command": name, "times": [t for x in rs for t in x["times"]],
                    "user": statistics.mean(x["user"] for x in rs), "system": statistics.mean(x["system"] for x in rs)})
json.dump({"results": results}, open(f"{work}/results.json", "w"), indent=1)
PY
}
