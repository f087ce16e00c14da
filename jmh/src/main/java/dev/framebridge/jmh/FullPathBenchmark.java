package dev.framebridge.jmh;

import dev.framebridge.encode.X264Backend;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The full path: BGRA frames with pixels over a Unix socket to the engine with x264 (the engine's defaults:
 * ultrafast, zerolatency, CBR at ~4 bits/pixel/s, keyint 60, a keyframe forced every 60 frames as vsockenc does),
 * with 1 request outstanding (vsockenc's pattern) or 2 (the engine's default window). The score is frames per
 * second; the {@code [hdr]} lines give round-trip and server-side percentiles and the bytes the engine's threads
 * allocated per frame. Run with {@code -prof gc} for the JVM-wide B/op (op = one frame).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 4)
@Measurement(iterations = 3, time = 6)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class FullPathBenchmark extends StreamingBenchmark {
    @Param({"1", "2"})
    public int outstanding;

    /** Where RGB becomes NV12: {@code arrival} (serve's default: on the I/O thread as rows arrive) or {@code encoder}. */
    @Param({"arrival"})
    public String convert;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        frames = new Frames(size, 30);
        LoopbackServer server = LoopbackServer.engine(new X264Backend(), idle, encodeThreads, convert.equals("arrival"));
        trips = new RoundTrips("full-path x264 " + size + " BGRA convert=" + convert, frames, server, outstanding);
    }

    @Benchmark
    public long frame() throws IOException {
        return trips.frame();
    }
}
