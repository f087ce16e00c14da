package dev.framebridge.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.framebridge.client.HxfrClient;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.engine.ThreadAllocations;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.transport.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process engine: frames in MemorySegments (no socket), access units through a handler that sees the encoder's
 * own memory, in submission order, with the same back-pressure as a connection — and the same H.264 as {@code serve}.
 */
@Timeout(180)
class EmbeddedEngineTest {
    private static final int W = 320;
    private static final int H = 180;
    private static final int STRIDE = W * 4 + 64;

    @TempDir
    Path dir;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    private MemorySegment buffer() {
        return arena.allocate((long) STRIDE * H, 64);
    }

    private static void draw(MemorySegment pixels, int n) {
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                pixels.set(ValueLayout.JAVA_INT_UNALIGNED, (long) y * STRIDE + 4L * x,
                        0xFF000000 | ((x + 2 * n) & 0xFF) << 16 | ((y + n) & 0xFF) << 8 | ((x ^ y) & 0xFF));
            }
        }
    }

    /** Collects each access unit (a copy: the original is valid during the call only) and every error. */
    static final class Collector implements AccessUnitHandler {
        final List<byte[]> units = Collections.synchronizedList(new ArrayList<>());
        final List<Long> pts = Collections.synchronizedList(new ArrayList<>());
        final List<Boolean> keyframes = Collections.synchronizedList(new ArrayList<>());
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onAccessUnit(AccessUnit au) {
            byte[] copy = new byte[(int) au.length()];
            au.copyTo(copy, 0);
            units.add(copy);
            pts.add(au.pts());
            keyframes.add(au.keyframe());
        }

        @Override
        public void onError(EncodeStream stream, long pts, int errorCode, String message) {
            errors.add(pts + " " + ErrorCode.name(errorCode) + ": " + message);
        }

        byte[] all() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            units.forEach(out::writeBytes);
            return out.toByteArray();
        }
    }

    private static void awaitAnswers(Collector c, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.units.size() + c.errors.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(n, c.units.size() + c.errors.size(), "answers");
    }

    @Test
    void framesFromMemorySegmentsComeBackAsAccessUnitsInOrderAndTheSameH264AsServe() throws Exception {
        int frames = 40;
        MemorySegment[] buffers = {buffer(), buffer()};
        Frame[] described = {Frame.bgra(buffers[0], W, H, STRIDE), Frame.bgra(buffers[1], W, H, STRIDE)};
        Collector embedded = new Collector();
        try (EmbeddedEngine engine = EmbeddedEngine.builder().encoder("x264").encoderThreads(1).maxInFlight(2).start();
             EncodeStream stream = engine.openStream(embedded)) {
            assertEquals("x264", engine.encoderName());
            for (int i = 0; i < frames; i++) {
                stream.awaitRoom(); // the buffer used two frames ago has been answered
                draw(buffers[i % 2], i);
                stream.submit(described[i % 2], i * 33_333_333L, i == 0);
            }
        } // closing the stream waits for the answers in flight
        assertEquals(frames, embedded.units.size());
        assertEquals(List.of(), embedded.errors);
        for (int i = 0; i < frames; i++) {
            assertEquals(i * 33_333_333L, embedded.pts.get(i), "in submission order");
        }
        assertTrue(embedded.keyframes.get(0));

        // The same frames in band through serve's engine, same settings: the same bytes.
        EngineConfig config = new EngineConfig().listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .countersFile(dir.resolve("counters.dat")).encoderThreads(1);
        ByteArrayOutputStream served = new ByteArrayOutputStream();
        try (Engine engine = Engine.start(config, EncoderRegistry.standard().select("x264").backend(),
                new EngineLog(new PrintStream(OutputStream.nullOutputStream()), false));
             HxfrClient client = HxfrClient.connect(engine.endpoints().get(0), Duration.ofSeconds(20))) {
            MemorySegment b = buffer();
            for (int i = 0; i < frames; i++) {
                draw(b, i);
                client.sendFrame(b, b.byteSize(), W, H, PixelFormat.BGRA8888, STRIDE, i * 33_333_333L, i == 0);
                served.writeBytes(client.readAnswer().accessUnit().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        assertArrayEquals(served.toByteArray(), embedded.all(), "embedded and served H.264 are identical");

        Path file = Files.write(dir.resolve("embedded.h264"), embedded.all());
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(file);
        assertEquals(frames, probed.size());
        assertEquals(W, probed.get(0).width());
    }

    @Test
    void nv12AndI420FramesAreEncodedWhereTheyLie() throws Exception {
        Collector nv12 = new Collector();
        Collector i420 = new Collector();
        int stride = W + 32;
        MemorySegment a = arena.allocate(PixelFormat.NV12.frameBytes(stride, H), 64);
        MemorySegment b = arena.allocate(PixelFormat.I420.frameBytes(stride, H), 64);
        a.fill((byte) 100);
        b.fill((byte) 60);
        try (EmbeddedEngine engine = EmbeddedEngine.builder().encoder("x264").encodeThreads(0).start();
             EncodeStream s1 = engine.openStream(nv12);
             EncodeStream s2 = engine.openStream(i420)) {
            for (int i = 0; i < 10; i++) {
                s1.submit(Frame.nv12(a, W, H, stride), i, false);
                s2.submit(Frame.i420(b, W, H, stride), i, false);
            }
        }
        assertEquals(10, nv12.units.size());
        assertEquals(10, i420.units.size());
        Path file = Files.write(dir.resolve("i420.h264"), i420.all());
        assertEquals(10, Ffmpeg.probe(file).size());
    }

    @Test
    void submitWaitsWhileTheWindowIsFullAndTrySubmitSaysSo() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger answered = new AtomicInteger();
        MemorySegment pixels = buffer();
        Frame frame = Frame.bgra(pixels, W, H, STRIDE);
        try (EmbeddedEngine engine = EmbeddedEngine.builder().encoder("x264").maxInFlight(2).start();
             EncodeStream stream = engine.openStream(au -> {
                 try {
                     release.await(); // a slow consumer: its answers are not taken
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
                 answered.incrementAndGet();
             })) {
            stream.submit(frame, 0, true);
            stream.submit(frame, 1, false);
            assertEquals(2, stream.inFlight());
            assertFalse(stream.trySubmit(frame, 2, false), "the window is full");
            Thread producer = Thread.ofPlatform().start(() -> {
                try {
                    stream.submit(frame, 3, false);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            producer.join(300);
            assertTrue(producer.isAlive(), "submit waits for room (back-pressure, never loss)");
            release.countDown();
            producer.join(10_000);
            assertFalse(producer.isAlive());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (answered.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertEquals(3, answered.get());
        }
    }

    @Test
    void aFrameThatDoesNotFitItsMemoryIsRefusedNamingTheField() {
        MemorySegment small = arena.allocate(1000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Frame.bgra(small, 16, 16, 64));
        assertEquals("frame plane_offset[0] 0 with stride[0] 64: plane 0 ends at byte 1024, beyond the frame's memory"
                + " (1000 bytes)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Frame.bgra(small, 16, 4, 63));
        assertEquals("frame stride[0] 63 < 64 bytes of a AR24 plane 0 row 16 pixels wide", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Frame.bgra(MemorySegment.ofArray(new byte[4096]), 4, 4, 16));
        assertTrue(e.getMessage().startsWith("frame memory is on the Java heap"), e.getMessage());
    }

    @Test
    void aFreedFrameIsRefusedAndAThrowingHandlerDoesNotStopTheStream() throws Exception {
        Collector c = new Collector();
        AtomicInteger calls = new AtomicInteger();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        try (EmbeddedEngine engine = EmbeddedEngine.builder().encoder("x264")
                .onHandlerFailure((s, t) -> failures.add(t)).start();
             EncodeStream stream = engine.openStream(au -> {
                 if (calls.incrementAndGet() == 2) {
                     throw new IllegalStateException("the application's bug");
                 }
                 c.onAccessUnit(au);
             })) {
            Arena gone = Arena.ofConfined();
            Frame freed = Frame.bgra(gone.allocate((long) STRIDE * H), W, H, STRIDE);
            gone.close();
            IllegalStateException dead = assertThrows(IllegalStateException.class, () -> stream.submit(freed, 0, false));
            assertTrue(dead.getMessage().startsWith("the frame's memory was freed"), dead.getMessage());
            Frame frame = Frame.bgra(buffer(), W, H, STRIDE);
            for (int i = 0; i < 4; i++) {
                stream.submit(frame, i, false);
            }
            stream.close();
            assertEquals(1, stream.handlerFailures());
            assertEquals(List.of(0L, 2L, 3L), c.pts, "the stream went on after the handler threw");
            assertEquals("the application's bug", failures.get(0).getMessage());
            assertThrows(IllegalStateException.class, () -> stream.submit(frame, 9, false));
        }
    }

    @Test
    void streamsAreLimitedAndReusedOnceClosed() throws Exception {
        try (EmbeddedEngine engine = EmbeddedEngine.builder().encoder("x264").maxStreams(2).start()) {
            EncodeStream a = engine.openStream(au -> { });
            EncodeStream b = engine.openStream(au -> { });
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> engine.openStream(au -> { }));
            assertTrue(full.getMessage().startsWith("2 streams are open"), full.getMessage());
            a.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            EncodeStream c = null;
            while (c == null && System.nanoTime() < deadline) {
                try {
                    c = engine.openStream(au -> { });
                } catch (IllegalStateException stillClosing) {
                    Thread.sleep(2); // the encode agent lets go of the closed stream's session asynchronously
                }
            }
            assertTrue(c != null, "a closed stream's place is reused");
            b.close();
            c.close();
        }
    }

    @Test
    void noAllocationPerFrameOnceWarm() throws Exception {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        MemorySegment pixels = arena.allocate(PixelFormat.NV12.frameBytes(256, 144), 64);
        pixels.fill((byte) 90);
        Frame frame = Frame.nv12(pixels, 256, 144, 256);
        long[] sizes = new long[1];
        try (EmbeddedEngine engine = EmbeddedEngine.builder().encoder("x264").encodeThreads(1).start();
             EncodeStream stream = engine.openStream(au -> sizes[0] += au.length())) {
            for (int i = 0; i < 12_000; i++) {
                stream.submit(frame, i, false);
            }
            List<Thread> threads = engine.threads();
            long[] windows = new long[5];
            int n = 12_000;
            for (int w = 0; w < windows.length; w++) {
                while (stream.inFlight() > 0) {
                    Thread.onSpinWait();
                }
                long before = ThreadAllocations.sum(mx, threads);
                for (int i = 0; i < 400; i++, n++) {
                    stream.submit(frame, n, false);
                }
                while (stream.inFlight() > 0) {
                    Thread.onSpinWait();
                }
                windows[w] = ThreadAllocations.sum(mx, threads) - before;
            }
            System.out.println("embedded engine threads allocated per 400-frame window: "
                    + java.util.Arrays.toString(windows) + " B");
            long[] sorted = windows.clone();
            java.util.Arrays.sort(sorted);
            assertTrue(sorted[2] < 1024, "median window " + sorted[2] + " B: " + java.util.Arrays.toString(windows));
        }
    }
}
