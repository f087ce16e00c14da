package dev.framebridge.engine;

import static dev.framebridge.frame.ResidentMemory.mib;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.frame.ResidentMemory;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.Hxfr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real engine under hostile frame declarations: memory follows the bytes that arrive, a frame over a limit is
 * answered with an ERROR naming the limit (in order, and the session goes on), a well-behaved client alongside keeps
 * getting answers, and closed sessions give their memory back above the warm reserve.
 */
@Timeout(120)
class FrameMemoryLimitsTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();

    /** Sends a FRAME_REQUEST's header and fixed part declaring {@code stride × rows} pixel bytes, and no pixels. */
    private void declare(HxfrClient c, int width, int height, PixelFormat format, int stride, long pts) throws Exception {
        MemorySegment request = arena.allocate(FrameRequestFlyweight.LENGTH);
        long bytes = format.frameBytes(stride, height);
        new FrameRequestFlyweight().wrap(request, 0)
                .header(Hxfr.FLAG_PIXEL_DATA, 1, FrameRequestFlyweight.BODY_LENGTH + bytes)
                .resourceId(0).width(width).height(height).format(format.fourcc()).stride(stride).pts(pts)
                .duration(0).forceKeyframe(false);
        c.sendRaw(request, FrameRequestFlyweight.LENGTH);
    }

    private static void streamFrames(HxfrClient c, EngineHarness.Pattern p, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            c.sendFrame(p.frame(i), p.bytes(), p.width, p.height, p.format, p.stride, i, i == 0);
            Answer a = c.readAnswer();
            assertTrue(a.isFrame() && a.pts() == i, "well-behaved client's frame " + i + ": " + a);
        }
    }

    @Test
    void aBurstOfHugeDeclarationsCommitsAlmostNothingAndAWellBehavedClientKeepsStreaming() throws Exception {
        try (EngineHarness h = new EngineHarness(dir, c -> c.frameMemoryReserve(0)); // all of it comes back
             HxfrClient good = h.connect(h.unix);
             EngineHarness.Pattern p = new EngineHarness.Pattern(256, 256)) {
            streamFrames(good, p, 0, 10);
            long idle = h.counter(CounterId.FRAME_MEMORY);
            long bytesIn = h.counter(CounterId.BYTES_IN);
            long rssBefore = ResidentMemory.ofThisProcess();

            List<HxfrClient> hostile = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    HxfrClient c = h.connect(i % 2 == 0 ? h.unix : h.tcp);
                    hostile.add(c);
                    declare(c, 4096, 4095, PixelFormat.BGRA8888, 4096 * 4, i); // ~88 MiB with its NV12 copy
                }
                h.awaitCounter(CounterId.BYTES_IN, v -> v >= bytesIn + 16L * FrameRequestFlyweight.LENGTH);
                streamFrames(good, p, 10, 30);

                long committed = h.counter(CounterId.FRAME_MEMORY) - idle;
                long grew = ResidentMemory.ofThisProcess() - rssBefore;
                System.out.printf("16 declarations of 4096x4095 BGRA: frame memory +%s, this process +%s%n",
                        mib(committed), mib(grew));
                // Charged ahead of the bytes: the first 256 KiB chunk of the pixels and of the NV12 rows they would
                // complete (one chunk of the Y plane, two of the UV plane, which starts mid-chunk): 1 MiB a frame.
                assertTrue(committed <= 16 * MIB, "16 declared frames charged " + mib(committed));
                assertTrue(grew < 128 * MIB, "16 declared frames made this process " + mib(grew) + " larger");
            } finally {
                hostile.forEach(HxfrClient::close);
            }
            h.awaitCounter(CounterId.FRAME_MEMORY, v -> v <= idle);
            streamFrames(good, p, 40, 5);
        }
    }

    @Test
    void aFrameOverTheConnectionLimitIsAnsweredInOrderWithAnErrorNamingTheLimit() throws Exception {
        try (EngineHarness h = new EngineHarness(dir, c -> c.maxFrameMemoryPerConnection(4 * MIB));
             HxfrClient client = h.connect(h.unix);
             HxfrClient alongside = h.connect(h.tcp);
             EngineHarness.Pattern small = new EngineHarness.Pattern(256, 256);
             EngineHarness.Pattern big = new EngineHarness.Pattern(1024, 1024)) {
            streamFrames(client, small, 0, 3);
            streamFrames(alongside, small, 0, 3);

            // 4 MiB of BGRA and its NV12 copy: more than the connection may hold, whatever it holds already
            client.sendFrame(big.frame(0), big.bytes(), big.width, big.height, big.format, big.stride, 3, false);
            Answer refused = client.readAnswer();
            assertTrue(refused.isError(), refused.toString());
            assertEquals(ErrorCode.INVALID_MSG, refused.errorCode());
            assertTrue(refused.errorMessage().contains("this connection") && refused.errorMessage().contains("4.0 MiB")
                    && refused.errorMessage().contains("--max-frame-memory-per-connection"), refused.errorMessage());

            streamFrames(alongside, small, 3, 5);
            streamFrames(client, small, 4, 5); // the refused frame's pixels were skipped: the stream goes on
            assertEquals(1, h.counter(CounterId.FRAMES_REFUSED_MEMORY));
            assertEquals(1, h.counter(CounterId.ERR_INVALID_MSG));
            assertTrue(h.log().contains("refused a frame from"), h.log());
        }
    }

    @Test
    void theEnginesLimitRefusesAFramePartWayAndThatSessionGoesOn() throws Exception {
        try (EngineHarness h = new EngineHarness(dir, c -> c.maxFrameMemory(13 * MIB).maxFrameMemoryPerConnection(13 * MIB)
                .frameMemoryReserve(0));
             HxfrClient a = h.connect(h.unix);
             HxfrClient b = h.connect(h.unix);
             HxfrClient c = h.connect(h.tcp);
             EngineHarness.Pattern small = new EngineHarness.Pattern(256, 256)) {
            streamFrames(b, small, 0, 3); // the well-behaved client: 1.5 MiB for its two slots
            long bHolds = h.counter(CounterId.FRAME_MEMORY);

            // a: a 6 MiB NV12 frame, 4 MiB of it sent
            int width = 1024;
            int height = 4096;
            long frame = PixelFormat.NV12.frameBytes(width, height);
            MemorySegment pixels = arena.allocate(frame);
            declare(a, width, height, PixelFormat.NV12, width, 0);
            a.sendRaw(pixels, 4 * MIB);
            h.awaitCounter(CounterId.FRAME_MEMORY, v -> v >= bHolds + 4 * MIB);

            // c: the same frame, whole: fits next to what a and b hold, and is answered
            c.sendFrame(pixels, frame, width, height, PixelFormat.NV12, width, 0, true);
            Answer answered = c.readAnswer();
            assertTrue(answered.isFrame(), answered.toString());
            streamFrames(b, small, 3, 3);

            // a's remaining 2 MiB would take all of them past 13 MiB: refused part-way, the rest skipped
            a.sendRaw(pixels.asSlice(4 * MIB), frame - 4 * MIB);
            Answer refused = a.readAnswer();
            assertTrue(refused.isError(), refused.toString());
            assertEquals(ErrorCode.INTERNAL, refused.errorCode());
            assertTrue(refused.errorMessage().contains("all connections") && refused.errorMessage().contains("while the frame arrived")
                    && refused.errorMessage().contains("--max-frame-memory"), refused.errorMessage());
            assertTrue(h.counter(CounterId.FRAME_MEMORY) <= 13 * MIB);

            streamFrames(a, small, 1, 3); // a's partial frame was given back: its next frames fit
            streamFrames(b, small, 6, 3);
            assertEquals(1, h.counter(CounterId.FRAMES_REFUSED_MEMORY));
        }
    }

    @Test
    void closedSessionsGiveTheirMemoryBackAboveTheWarmReserveAndEachShowsItsOwnInTheCounters() throws Exception {
        try (EngineHarness h = new EngineHarness(dir, c -> c.frameMemoryReserve(8 * MIB));
             EngineHarness.Pattern p = new EngineHarness.Pattern(1024, 1024)) {
            List<HxfrClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(h.connect(h.unix));
            }
            for (HxfrClient c : clients) { // two in flight: both slots of each session hold a frame
                c.sendFrame(p.frame(0), p.bytes(), p.width, p.height, p.format, p.stride, 0, true);
                c.sendFrame(p.frame(1), p.bytes(), p.width, p.height, p.format, p.stride, 1, false);
            }
            for (HxfrClient c : clients) {
                assertTrue(c.readAnswer().isFrame());
                assertTrue(c.readAnswer().isFrame());
            }
            long total = h.counter(CounterId.FRAME_MEMORY);
            Map<String, Long> perSession = sessionCounters(h);
            System.out.println("frame memory " + mib(total) + ", per session " + perSession);
            assertEquals(3, perSession.size(), perSession.toString());
            long slot = (p.bytes() + 4096 + 256 * 1024 - 1) / (256 * 1024) * (256 * 1024);
            for (long v : perSession.values()) {
                assertTrue(v >= 2 * slot, "a session with two 4 MiB frames holds " + mib(v));
            }
            assertEquals(total, perSession.values().stream().mapToLong(Long::longValue).sum());

            clients.forEach(HxfrClient::close);
            h.awaitCounter(CounterId.CONNECTIONS_ACTIVE, v -> v == 0);
            long after = h.awaitCounter(CounterId.FRAME_MEMORY, v -> v <= 8 * MIB);
            assertEquals(after, h.counter(CounterId.FRAME_MEMORY_WARM), "what is left is the warm reserve");
            assertTrue(after > 0, "one slot's worth is kept warm");
            // freed once the session is let go of, just after its slots went back to the pool (the frame memory above)
            EngineHarness.await(() -> sessionCounters(h).isEmpty(),
                    () -> "closed sessions' counters are not freed: " + sessionCounters(h));
        }
    }

    private static Map<String, Long> sessionCounters(EngineHarness h) {
        Map<String, Long> found = new HashMap<>();
        h.engine.counters().file().reader().forEach((value, id, label) -> {
            if (label.startsWith("session ") && label.contains("frame memory")) {
                found.put(label, value);
            }
        });
        return found;
    }
}
