# Sourced by jmh/run, jmh/side-by-side and jmh/convert-ab: the JDK, the jars built when sources changed, the C
# stream client and the raw test frames. Expects $root (the repository); the client and frames go to $work.

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
