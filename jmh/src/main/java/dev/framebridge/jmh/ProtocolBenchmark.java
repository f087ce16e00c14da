package dev.framebridge.jmh;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.FrameResponseFlyweight;
import dev.framebridge.protocol.HeaderFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.HxfrDecoder;
import dev.framebridge.protocol.HxfrLayouts;
import dev.framebridge.protocol.ProtocolLimits;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * FRAME_REQUEST and FRAME_RESPONSE headers through the flyweights, in off-heap memory as the engine does it:
 * encode (every field written), and decode (validated by {@link HxfrDecoder} as the I/O agent does, then every
 * field read). Run with {@code -prof gc}: allocation must be 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ProtocolBenchmark {
    private static final long PIXELS_1080P = 1920L * 1080 * 4;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment requestBuffer = arena.allocate(64, 64);
    private final MemorySegment responseBuffer = arena.allocate(64, 64);
    private final FrameRequestFlyweight request = new FrameRequestFlyweight();
    private final FrameResponseFlyweight response = new FrameResponseFlyweight();
    private final HeaderFlyweight header = new HeaderFlyweight();
    private final HxfrDecoder decoder = new HxfrDecoder(new ProtocolLimits(Hxfr.MAX_PAYLOAD, 8192, false));
    private long pts;

    @Setup(Level.Trial)
    public void setUp() {
        encodeFrameRequest();
        encodeFrameResponse();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment encodeFrameRequest() {
        long t = pts += 33_333_333L;
        request.wrap(requestBuffer, 0).header(Hxfr.FLAG_PIXEL_DATA, 1, FrameRequestFlyweight.BODY_LENGTH + PIXELS_1080P)
                .resourceId(0).width(1920).height(1080).format(PixelFormat.BGRA8888.fourcc()).stride(1920 * 4)
                .pts(t).duration(33_333_333L).forceKeyframe((t & 1) == 0);
        return requestBuffer;
    }

    /** What the I/O agent does with a request's fixed part: check the header, then the body, then read it. */
    @Benchmark
    public long decodeFrameRequest() {
        if (decoder.checkHeader(header.wrap(requestBuffer, 0)) != HxfrDecoder.ACCEPT) {
            return -1;
        }
        FrameRequestFlyweight f = request.wrap(requestBuffer, 0);
        if (decoder.checkFrameRequest(f) != HxfrDecoder.ACCEPT) {
            return -2;
        }
        PixelFormat format = PixelFormat.ofFourcc(f.format());
        return f.sessionId() + f.width() + f.height() + f.stride() + f.pts() + f.duration()
                + (f.forceKeyframe() ? 1 : 0) + format.frameBytes(f.stride(), f.height()) + f.pixelBytes();
    }

    @Benchmark
    public MemorySegment encodeFrameResponse() {
        long t = pts += 33_333_333L;
        response.wrap(responseBuffer, 0).singleEntry(1, t, t, (t & 1) == 0, 35_000);
        return responseBuffer;
    }

    /** What a client does with an answer's prefix: type, sizes, times, keyframe flag and the entry size. */
    @Benchmark
    public long decodeFrameResponse() {
        FrameResponseFlyweight r = response.wrap(responseBuffer, 0);
        if (r.magic() != Hxfr.MAGIC || r.type() != Hxfr.MSG_FRAME_RESPONSE) {
            return -1;
        }
        return r.sessionId() + r.payloadSize() + r.pts() + r.dts() + (r.isKeyframe() ? 1 : 0) + r.nalCount()
                + (responseBuffer.get(HxfrLayouts.U32, FrameResponseFlyweight.LENGTH) & 0xFFFF_FFFFL);
    }
}
