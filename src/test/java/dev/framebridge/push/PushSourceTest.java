package dev.framebridge.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.encode.AnnexB;
import dev.framebridge.encode.X264Backend;
import dev.framebridge.qemu.ConsoleFrame;
import dev.framebridge.qemu.PixmanFormat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Push semantics with the real x264: one encode for all subscribers, IDR first, newest-wins with drops counted. */
class PushSourceTest {
    private static final int W = 320;
    private static final int H = 240;
    private final Arena arena = Arena.ofShared();
    private ConsoleFrame frame;
    private PushSource source;
    private Thread thread;
    private MemorySegment picture;
    private int drawn;

    @BeforeEach
    void start() {
        frame = new ConsoleFrame(0);
        picture = arena.allocate((long) W * H * 4);
        draw();
        source = new PushSource(frame, new X264Backend(), 30, line -> { });
        thread = Thread.ofPlatform().name("push-test").start(source);
    }

    @AfterEach
    void stop() throws Exception {
        source.stop();
        thread.join(5_000);
        source.close();
        frame.release();
        arena.close();
    }

    /** A new picture (a moving bar), as a full Scanout. */
    private void draw() {
        drawn++;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int v = ((x + drawn * 8) % W) < 40 ? 0xFFFFFF : (y * 255 / H) << 8;
                picture.set(ValueLayout.JAVA_INT_UNALIGNED, ((long) y * W + x) * 4, v);
            }
        }
        frame.scanout(W, H, W * 4, PixmanFormat.X8R8G8B8, picture);
    }

    private record Got(byte[] bytes, boolean keyframe) {
    }

    private static Got next(PushSubscriber s, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        List<Got> got = new ArrayList<>();
        while (got.isEmpty() && System.nanoTime() < deadline) {
            if (!s.poll((buf, len, key, pts) -> got.add(new Got(buf.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE), key)))) {
                s.awaitNewer(50);
            }
        }
        return got.isEmpty() ? null : got.get(0);
    }

    @Test
    void firstFrameIsAnIdrWithParameterSetsAndChangesFollowAsPFrames() throws Exception {
        PushSubscriber a = source.subscribe();
        Got first = next(a, 10_000);
        assertTrue(first != null && first.keyframe(), "a subscriber's first frame is an IDR");
        assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(first.bytes())), "with SPS and PPS in front");
        draw();
        Got second = next(a, 10_000);
        assertTrue(second != null && !second.keyframe(), "a change is pushed as a P-frame");
        assertEquals(0, a.drops());
        assertEquals(2, a.delivered());
    }

    @Test
    void lateJoinerGetsAnIdrAndBothShareOneEncodePerChange() throws Exception {
        PushSubscriber a = source.subscribe();
        assertTrue(next(a, 10_000).keyframe());
        for (int i = 0; i < 3; i++) {
            draw();
            assertFalse(next(a, 10_000).keyframe());
        }
        PushSubscriber b = source.subscribe();
        Got bFirst = next(b, 10_000);
        assertTrue(bFirst.keyframe() && AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(bFirst.bytes())),
                "the late joiner starts at an IDR with SPS/PPS");
        Got aSame = next(a, 10_000);
        assertTrue(aSame.keyframe(), "the IDR was encoded once and pushed to both");
        long encodesBefore = source.encodes();
        draw();
        Got a5 = next(a, 10_000);
        Got b5 = next(b, 10_000);
        assertTrue(java.util.Arrays.equals(a5.bytes(), b5.bytes()), "both got the same access unit");
        assertEquals(encodesBefore + 1, source.encodes(), "one encode for two subscribers");
        assertEquals(0, a.drops() + b.drops());
    }

    @Test
    void slowSubscriberSkipsToTheNewestThroughAnIdrAndItsDropsAreCounted() throws Exception {
        PushSubscriber fast = source.subscribe();
        PushSubscriber slow = source.subscribe();
        assertTrue(next(fast, 10_000).keyframe());
        assertTrue(next(slow, 10_000).keyframe());
        for (int i = 0; i < 5; i++) {
            draw();
            assertFalse(next(fast, 10_000).keyframe(), "the fast one reads every frame");
        }
        // the slow one read nothing for 5 frames: it cannot continue from a P-frame after a gap
        Got resumed = next(slow, 10_000);
        assertTrue(resumed.keyframe(), "after a gap the slow subscriber resumes at an IDR");
        assertTrue(slow.drops() >= 4, "its missed frames are counted: " + slow.drops());
        assertEquals(0, fast.drops());
    }

    @Test
    void pushRateIsCappedWhateverTheChangeRate() throws Exception {
        PushSubscriber a = source.subscribe();
        assertTrue(next(a, 10_000).keyframe());
        long startEncodes = source.encodes();
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < 1_000_000_000L) {
            draw(); // as fast as this thread can draw
            a.poll((buf, len, key, pts) -> { });
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long encodes = source.encodes() - startEncodes;
        assertTrue(encodes <= 30 * seconds + 2, encodes + " encodes in " + seconds + " s at a 30 fps cap");
        assertTrue(encodes >= 1);
    }
}
