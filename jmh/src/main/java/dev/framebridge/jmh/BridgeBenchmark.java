package dev.framebridge.jmh;

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
 * Bridge overhead: BGRA frames with their pixels over a Unix socket, one request outstanding, answered by
 * <ul>
 *   <li>{@code framebridge}: the engine with the stand-in encoder (a fixed 1 KiB access unit, no encode work), or</li>
 *   <li>{@code plain-echo}: the physical reference — a blocking socket loop reading the same bytes and writing an
 *       answer of the same size.</li>
 * </ul>
 * The score is frames per second. The {@code [hdr]} lines after each trial give the percentiles that matter:
 * the client's round trip, and server-side time from the last request byte read to the last answer byte written
 * (the engine's own measurement, through {@code EngineConfig.latencyRecorder}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class BridgeBenchmark extends StreamingBenchmark {
    @Param({"framebridge", "plain-echo"})
    public String server;

    /**
     * How the client waits for its answer: {@code poll} (sleeps, like vsockenc) or {@code spin} (retries a
     * non-blocking read). With poll, the server's write must wake a sleeping thread — on a VM a halted vCPU — and
     * that wake-up is inside the server-side time.
     */
    @Param({"poll"})
    public String clientWait;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        frames = new Frames(size, 4);
        LoopbackServer s = server.equals("framebridge") ? LoopbackServer.engine(new StandInBackend(), idle, encodeThreads)
                : LoopbackServer.plainEcho();
        trips = new RoundTrips("bridge " + server + " " + size + " BGRA client=" + clientWait, frames, s, 1,
                clientWait.equals("spin"));
    }

    @Benchmark
    public long roundTrip() throws IOException {
        return trips.frame();
    }
}
