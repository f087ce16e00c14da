package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.encode.AnnexB;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.encode.X264Backend;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.push.Scanouts;
import dev.framebridge.qemu.ConsoleFrame;
import dev.framebridge.qemu.PixmanFormat;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push mode through the real engine and x264, with a console picture the test draws (QEMU's own listener is
 * exercised in QemuPushTest): SUBSCRIBE, pushed frames after it, one encode shared, faults.
 */
class PushEngineTest {
    private static final int W = 320;
    private static final int H = 240;

    @TempDir
    Path dir;
    private final Arena arena = Arena.ofShared();
    private final List<String> pushLog = new CopyOnWriteArrayList<>();
    private final List<int[]> heads = new CopyOnWriteArrayList<>();
    private ConsoleFrame console;
    private MemorySegment picture;
    private Scanouts scanouts;
    private EngineHarness host;
    private int drawn;

    @BeforeEach
    void start() throws Exception {
        console = new ConsoleFrame(0);
        picture = arena.allocate((long) W * H * 4);
        draw(0);
        scanouts = Scanouts.of(List.of(console), (c, w, h) -> {
            heads.add(new int[] {c, w, h});
            return true;
        }, 240, new X264Backend(), pushLog::add); // the rate cap is not what these tests are about
        host = new EngineHarness(dir, c -> c.scanouts(scanouts).maxInFlight(4));
    }

    @AfterEach
    void stop() {
        host.close();
        scanouts.close();
        console.release();
        arena.close();
    }

    /** A new picture (a moving bar; with noise when {@code noisy}, so access units are large). */
    private void draw(int noise) {
        drawn++;
        long seed = drawn * 0x9E3779B97F4A7C15L;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int v = ((x + drawn * 8) % W) < 40 ? 0xFFFFFF : (y * 255 / H) << 8 | (x * 255 / W);
                if (noise > 0) {
                    seed = seed * 6364136223846793005L + 1442695040888963407L;
                    v ^= (int) (seed >>> 40) & 0xFFFFFF;
                }
                picture.set(ValueLayout.JAVA_INT_UNALIGNED, ((long) y * W + x) * 4, v);
            }
        }
        console.scanout(W, H, W * 4, PixmanFormat.X8R8G8B8, picture);
    }

    private static byte[] bytes(HxfrClient.Answer a) {
        return a.accessUnit().toArray(ValueLayout.JAVA_BYTE);
    }

    /** Reads pushed frames, drawing a new picture before each read. */
    private List<byte[]> readFrames(HxfrClient client, int n) throws Exception {
        List<byte[]> frames = new java.util.ArrayList<>();
        while (frames.size() < n) {
            draw(0);
            HxfrClient.Answer a;
            try {
                a = client.readAnswer();
            } catch (java.io.IOException e) {
                throw new AssertionError("no pushed frame: " + e.getMessage() + "; push log " + pushLog + "; host log "
                        + host.log(), e);
            }
            assertTrue(a.isFrame(), "pushed " + a);
            assertEquals(1, a.sessionId(), "a pushed FRAME_RESPONSE names its scanout in session_id");
            frames.add(bytes(a));
        }
        return frames;
    }

    @Test
    void subscriberGetsAnIdrWithSpsPpsFirstThenEveryNewFrameWithoutAsking() throws Exception {
        try (HxfrClient client = host.connect(host.unix)) {
            assertTrue(client.subscribe(1), "scanout 1 is console 0; log " + pushLog);
            List<byte[]> frames = readFrames(client, 5);
            assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(frames.get(0))), "first pushed frame: SPS, PPS, IDR");
            Path h264 = dir.resolve("push.h264");
            try (var out = Files.newOutputStream(h264)) {
                for (byte[] f : frames) {
                    out.write(f);
                }
            }
            List<Ffmpeg.Frame> decoded = Ffmpeg.probe(h264);
            assertEquals(5, decoded.size(), "ffmpeg decodes every pushed frame");
            assertEquals(W, decoded.get(0).width());
            assertEquals(H, decoded.get(0).height());
            host.awaitCounter(CounterId.PUSH_FRAMES, v -> v >= 5); // counted once a push's write returns
            assertEquals(1, host.counter(CounterId.PUSH_SUBSCRIBERS));
        }
    }

    @Test
    void unknownScanoutIsRefusedWithItsReasonLoggedAndTheConnectionGoesOn() throws Exception {
        try (HxfrClient client = host.connect(host.unix)) {
            assertFalse(client.subscribe(2), "the VM has one console: scanout 2 does not exist");
            assertTrue(pushLog.stream().anyMatch(l -> l.contains("SUBSCRIBE to scanout 2 refused: no such scanout")),
                    pushLog.toString());
            host.awaitCounter(CounterId.PUSH_REFUSED, 1); // counted once the SUBSCRIBE_RESP is written, after the read
            client.sendHeaderOnly(Hxfr.MSG_PING);
            assertEquals(Hxfr.MSG_PONG, client.readAnswer().type(), "the refused subscriber still gets answers");
        }
    }

    @Test
    void twoSubscribersShareOneEncodeAndALateJoinerStartsAtAnIdr() throws Exception {
        try (HxfrClient first = host.connect(host.unix); HxfrClient late = host.connect(host.tcp)) {
            assertTrue(first.subscribe(1));
            readFrames(first, 4);
            long encodesBefore = scanouts.source(1).encodes();
            assertTrue(late.subscribe(1));
            HxfrClient.Answer a = late.readAnswer();
            assertTrue(a.isFrame() && a.keyframe(), "a late joiner's first frame is an IDR: " + a);
            assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(bytes(a))), "with SPS/PPS in front");
            // both read the same pictures now: each encode reaches both
            int received = 0;
            for (int i = 0; i < 6; i++) {
                draw(0);
                assertTrue(first.readAnswer().isFrame());
                assertTrue(late.readAnswer().isFrame());
                received += 2;
            }
            long encodes = scanouts.source(1).encodes() - encodesBefore;
            System.out.println("two subscribers: " + received + " frames received from " + encodes + " encodes");
            assertTrue(encodes < received, received + " frames from " + encodes + " encodes: shared");
            assertEquals(2, host.counter(CounterId.PUSH_SUBSCRIBERS));
        }
    }

    @Test
    void subscribersOnDifferentIoAgentsAreEachWokenByAPublish() throws Exception {
        host.close();
        Path two = Files.createDirectories(dir.resolve("two-agents"));
        host = new EngineHarness(two, c -> c.scanouts(scanouts).maxInFlight(4).encodeAgents(0).ioAgents(2));
        // the first connection stays on agent 0, the next goes to agent 1 (the one with more free sessions)
        try (HxfrClient onFirst = host.connect(host.unix); HxfrClient onSecond = host.connect(host.unix)) {
            assertTrue(onFirst.subscribe(1));
            assertTrue(onSecond.subscribe(1));
            assertTrue(host.log().contains(", I/O agent 1)"), "the second subscriber is agent 1's: " + host.log());
            // stat's level counts the subscribers of every I/O agent, not those of whichever subscribed last
            host.awaitCounter(CounterId.PUSH_SUBSCRIBERS, 2);
            for (int i = 0; i < 4; i++) {
                draw(0);
                assertTrue(onFirst.readAnswer().isFrame(), "agent 0's subscriber is pushed frame " + i);
                assertTrue(onSecond.readAnswer().isFrame(), "agent 1's subscriber is pushed frame " + i);
            }
        }
    }

    @Test
    void aSubscriberHangingUpLeavesTheOthersUntouched() throws Exception {
        try (HxfrClient stays = host.connect(host.unix)) {
            HxfrClient leaves = host.connect(host.unix);
            assertTrue(stays.subscribe(1));
            assertTrue(leaves.subscribe(1));
            readFrames(leaves, 2);
            leaves.close();
            readFrames(stays, 6);
            host.awaitCounter(CounterId.PUSH_SUBSCRIBERS, 1);
            assertEquals(1, scanouts.source(1).subscriberCount());
        }
    }

    @Test
    void aConsoleThatEndsTellsItsSubscribersAndPullRequestsGoOn() throws Exception {
        try (HxfrClient client = host.connect(host.unix);
             EngineHarness.Pattern pattern = new EngineHarness.Pattern(64, 48)) {
            assertTrue(client.subscribe(1));
            readFrames(client, 2);
            console.end("test: the console was removed");
            HxfrClient.Answer a;
            do {
                a = client.readAnswer(); // a frame pushed just before may come first
            } while (a.isFrame());
            assertTrue(a.isError(), a.toString());
            assertEquals(ErrorCode.RESOURCE_NOT_FOUND, a.errorCode());
            assertTrue(a.errorMessage().contains("scanout 1 ended: test: the console was removed"), a.errorMessage());
            host.awaitCounter(CounterId.PUSH_ENDED, 1); // counted once the ERROR's last byte is written, after the read
            client.sendFrame(pattern.frame(1), pattern.bytes(), pattern.width, pattern.height, pattern.format,
                    pattern.stride, 1, true);
            assertTrue(client.readAnswer().isFrame(), "pull requests are answered on the same connection");
            assertFalse(client.subscribe(1), "an ended scanout takes no new subscribers");
        }
    }

    @Test
    void aSlowSubscriberIsSkippedToTheNewestFrameAndItsDropsCounted() throws Exception {
        try (HxfrClient slow = host.connect(host.unix)) {
            assertTrue(slow.subscribe(1));
            // noisy frames at a high bitrate are large (tens of KB each): the socket fills while the subscriber
            // does not read
            slow.sendBitrate(100_000_000);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            stream.write(readFrames(slow, 1).get(0));
            for (int i = 0; i < 80; i++) {
                draw(1);
                Thread.sleep(20);
            }
            int frames = 0;
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline && frames < 100) {
                if (!slow.socket().awaitReadable(300)) {
                    break;
                }
                HxfrClient.Answer a = slow.readAnswer();
                assertTrue(a.isFrame(), a.toString());
                stream.write(bytes(a));
                frames++;
            }
            // what it could not take was skipped and counted: when the subscriber is next polled, just after its
            // blocked write finishes
            long drops = host.awaitCounter(CounterId.PUSH_DROPS, v -> v > 0);
            System.out.println("slow subscriber: " + frames + " frames read after 81 drawn, " + drops + " dropped");
            assertTrue(frames < 81, "no queue grew: it read " + frames + " frames, not every one drawn");
            Path h264 = dir.resolve("slow.h264");
            Files.write(h264, stream.toByteArray());
            assertEquals(frames + 1, Ffmpeg.probe(h264).size(), "what it got decodes: it resumed at IDRs");
        }
    }

    @Test
    void configRequestOnASubscribedConnectionSetsTheSourcesBitrate() throws Exception {
        try (HxfrClient client = host.connect(host.unix)) {
            assertTrue(client.subscribe(1));
            readFrames(client, 1);
            client.sendBitrate(300_000);
            readFrames(client, 3);
            assertEquals(300_000, scanouts.source(1).bitrate());
        }
    }

    @Test
    void pushedFramesAllocateNothingOnceWarm() throws Exception {
        com.sun.management.ThreadMXBean beans =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (HxfrClient client = host.connect(host.unix)) {
            assertTrue(client.subscribe(1));
            // warm-up long enough for C2 to compile the push path (it removes the FFM downcalls' temporaries)
            readFrames(client, Integer.getInteger("push.warmup", 8000));
            List<Thread> threads = new java.util.ArrayList<>(host.engine.agentThreads());
            Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("framebridge-push-1"))
                    .forEach(threads::add);
            assertEquals(4, threads.size(), "I/O agent, two encode agents and the push source: " + threads);
            long[] windows = new long[5];
            long[] perThread = new long[threads.size()];
            for (int w = 0; w < windows.length; w++) {
                long before = ThreadAllocations.sum(beans, threads);
                for (int t = 0; t < perThread.length; t++) {
                    perThread[t] -= beans.getThreadAllocatedBytes(threads.get(t).threadId());
                }
                readFrames(client, 200);
                windows[w] = ThreadAllocations.sum(beans, threads) - before;
                for (int t = 0; t < perThread.length; t++) {
                    perThread[t] += beans.getThreadAllocatedBytes(threads.get(t).threadId());
                }
            }
            System.out.println("push: per thread over 1000 frames " + threads.stream().map(Thread::getName).toList()
                    + " " + java.util.Arrays.toString(perThread));
            System.out.println("push: agents and source allocated per 200 pushed frames: "
                    + java.util.Arrays.toString(windows) + " B");
            long[] sorted = windows.clone();
            java.util.Arrays.sort(sorted);
            // one object per frame anywhere would put every window at >= 16 B x 200 = 3200 B
            assertTrue(sorted[2] < 1024, "median window allocated " + sorted[2] + " B over 200 pushed frames: "
                    + java.util.Arrays.toString(windows));
        }
    }

    @Test
    void enableScanoutAsksTheVmForTheHeadAndNamesTheConnector() throws Exception {
        try (HxfrClient client = host.connect(host.unix)) {
            assertEquals("Virtual-1", client.enableScanout(1, 1280, 720, 60));
            assertEquals(1, heads.size());
            assertEquals(List.of(0, 1280, 720), List.of(heads.get(0)[0], heads.get(0)[1], heads.get(0)[2]));
            client.disableScanout(1);
            client.sendHeaderOnly(Hxfr.MSG_PING);
            assertEquals(Hxfr.MSG_PONG, client.readAnswer().type());
            assertEquals(List.of(0, 0, 0), List.of(heads.get(1)[0], heads.get(1)[1], heads.get(1)[2]),
                    "DISABLE_SCANOUT takes the head away");
            assertNull(client.enableScanout(7, 800, 600, 60), "no console behind scanout 7");
            assertTrue(pushLog.stream().anyMatch(l -> l.contains("ENABLE_SCANOUT 7")), pushLog.toString());
        }
    }
}
