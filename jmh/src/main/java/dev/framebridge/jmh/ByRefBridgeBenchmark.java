package dev.framebridge.jmh;

import dev.framebridge.client.MemfdPool;
import dev.framebridge.frame.PixelFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bridge's own cost per frame by reference (issue 10's "server-side time per by-reference frame, excluding
 * encode"): the client keeps {@link #FRAMES} frames in a sealed memfd it registered over the Unix socket and sends,
 * one request outstanding, an 88-byte FRAME_REF naming each in turn; the engine (serve's layout) checks it against
 * the pool, hands it through the rings to the stand-in encoder ({@link StandInBackend}: the planes are not read, a
 * fixed 1 KiB access unit comes back) and writes the FRAME_RESPONSE. Without an encoder's work, the {@code [hdr]}
 * server-side percentiles — last request byte read to last answer byte written, the engine's own stamps — are the
 * time the engine spends per by-reference frame besides encoding (the stand-in's call is a field store). Score:
 * frames per second; B/frame of the engine's threads in the {@code [hdr]} lines.
 *
 * <p>{@code format}: {@code bgra} (one plane) or {@code nv12} (two), which changes only the checks the I/O agent
 * makes (plane bounds) — nothing reads the pixels. Compare with {@link BridgeBenchmark} (the same engine, pixels in
 * band) in the same JMH run: {@code jmh/run 'Bridge'}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ByRefBridgeBenchmark extends StreamingBenchmark {
    /** Frames in the pool, referred to in turn. */
    static final int FRAMES = 4;

    @Param({"bgra", "nv12"})
    public String format;

    /** How the client waits for its answer: {@code poll} (sleeps, as a guest's element does) or {@code spin}. */
    @Param({"poll"})
    public String clientWait;

    private MemfdPool pool;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        frames = new Frames(size, FRAMES);
        PixelFormat pixelFormat = format.equals("nv12") ? PixelFormat.NV12 : PixelFormat.BGRA8888;
        int stride = pixelFormat == PixelFormat.NV12 ? frames.width : frames.stride;
        long frameBytes = pixelFormat == PixelFormat.NV12 ? (long) stride * (frames.height + (frames.height + 1) / 2)
                : frames.bytes;
        long area = (frameBytes + 4095) & ~4095L;
        pool = MemfdPool.create("jmh-byref", area * FRAMES);
        for (int f = 0; f < FRAMES; f++) { // a producer's frames, drawn before the stream starts
            MemorySegment.copy(frames.frame(f), 0, pool.segment(), f * area, Math.min(frames.bytes, frameBytes));
        }
        int[] poolId = new int[1];
        RoundTrips.Sender byReference = new RoundTrips.Sender() {
            @Override
            public void open(StreamClient client) throws IOException {
                poolId[0] = client.registerMemfd(pool);
            }

            @Override
            public void send(StreamClient client, Frames fs, long n) throws IOException {
                client.sendRef(poolId[0], (n % FRAMES) * area, pixelFormat, fs.width, fs.height, stride,
                        n * 33_333_333L, n % 60 == 0);
            }
        };
        LoopbackServer server = LoopbackServer.engine(new StandInBackend(), idle, encodeThreads);
        trips = new RoundTrips("bridge by reference (memfd) " + size + " " + format + " client=" + clientWait, frames,
                server, 1, clientWait.equals("spin"), byReference);
    }

    @TearDown(Level.Trial)
    public void closePool() {
        pool.close(); // the client's mapping and fd; the engine's own mapping went with the connection
    }

    @Benchmark
    public long roundTrip() throws IOException {
        return trips.frame();
    }
}
