package dev.framebridge.cli;

import static dev.framebridge.frame.ResidentMemory.mib;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.engine.CountersFile;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.frame.ResidentMemory;
import dev.framebridge.protocol.FrameRequestFlyweight;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.Endpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s resident memory (VmRSS) as a real process with its default limits: a burst of huge frame
 * declarations does not grow it, and after large sessions close it comes back near where it was idle.
 */
@Timeout(300)
class FrameMemoryProcessTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    private Process serve;
    private Path counters;
    private Endpoint endpoint;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void stop() {
        if (serve != null) {
            serve.destroyForcibly();
        }
        arena.close();
    }

    private void startServe() throws Exception {
        Path sock = dir.resolve("fb.sock");
        counters = dir.resolve("counters.dat");
        serve = ServeProcessTest.startServe(dir, "--listen", "unix:" + sock, "--counters-file", counters.toString(),
                "--encoder", "x264");
        ServeProcessTest.awaitFile(sock, serve);
        ServeProcessTest.awaitFile(counters, serve);
        endpoint = Endpoint.parse("unix:" + sock);
    }

    private HxfrClient connect() throws Exception {
        return HxfrClient.connect(endpoint, Duration.ofSeconds(30));
    }

    private long counter(String label) {
        try (CountersFile file = CountersFile.open(counters)) {
            long[] value = {-1};
            file.reader().forEach((v, id, l) -> {
                if (l.equals(label)) {
                    value[0] = v;
                }
            });
            assertTrue(value[0] >= 0, "no counter '" + label + "'");
            return value[0];
        }
    }

    private long awaitCounter(String label, LongPredicate until) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long v;
        while (!until.test(v = counter(label))) {
            assertTrue(System.nanoTime() < deadline, label + " stayed at " + v);
            Thread.sleep(10);
        }
        return v;
    }

    /** Small frames until the server's paths are compiled and its memory settles: the idle baseline. */
    private long idleAfterWarmUp() throws Exception {
        int w = 256;
        int h = 256;
        MemorySegment pixels = arena.allocate((long) w * 4 * h);
        try (HxfrClient c = connect()) {
            for (int i = 0; i < 300; i++) {
                pixels.fill((byte) i);
                c.sendFrame(pixels, pixels.byteSize(), w, h, PixelFormat.BGRA8888, w * 4, i, i == 0);
                assertTrue(c.readAnswer().isFrame());
            }
        }
        awaitCounter("connections active", v -> v == 0);
        Thread.sleep(500);
        return ResidentMemory.of(serve.pid());
    }

    @Test
    void aBurstOfHugeFrameDeclarationsDoesNotGrowTheServer() throws Exception {
        startServe();
        long idle = idleAfterWarmUp();
        long bytesIn = counter("bytes received");
        List<HxfrClient> hostile = new ArrayList<>();
        try {
            MemorySegment request = arena.allocate(FrameRequestFlyweight.LENGTH);
            for (int i = 0; i < 16; i++) { // issue 12: 56 bytes each, ~88 MiB each declared
                new FrameRequestFlyweight().wrap(request, 0)
                        .header(Hxfr.FLAG_PIXEL_DATA, 1, FrameRequestFlyweight.BODY_LENGTH + 4096L * 4 * 4095)
                        .resourceId(0).width(4096).height(4095).format(PixelFormat.BGRA8888.fourcc()).stride(4096 * 4)
                        .pts(i).duration(0).forceKeyframe(false);
                HxfrClient c = connect();
                hostile.add(c);
                c.sendRaw(request, FrameRequestFlyweight.LENGTH);
            }
            awaitCounter("bytes received", v -> v >= bytesIn + 16L * FrameRequestFlyweight.LENGTH);
            Thread.sleep(500);
            long grew = ResidentMemory.of(serve.pid()) - idle;
            System.out.println("serve idle " + mib(idle) + "; after 16 declarations of 4096x4095 BGRA: +" + mib(grew));
            assertTrue(grew < 64 * MIB, "16 declared frames grew the server by " + mib(grew));
        } finally {
            hostile.forEach(HxfrClient::close);
        }
    }

    @Test
    void residentMemoryComesBackNearIdleAfterLargeSessionsClose() throws Exception {
        startServe();
        long idle = idleAfterWarmUp();

        // 32 MiB frames (rows 64 KiB apart), two in flight on each of six sessions open at once: 384 MiB of pixels
        int w = 256;
        int h = 512;
        int stride = 64 * 1024;
        MemorySegment pixels = arena.allocate((long) stride * h);
        pixels.fill((byte) 0x55);
        List<HxfrClient> sessions = new ArrayList<>();
        long peak;
        try {
            for (int i = 0; i < 6; i++) {
                sessions.add(connect());
            }
            for (HxfrClient c : sessions) {
                c.sendFrame(pixels, pixels.byteSize(), w, h, PixelFormat.BGRA8888, stride, 0, true);
                c.sendFrame(pixels, pixels.byteSize(), w, h, PixelFormat.BGRA8888, stride, 1, false);
            }
            for (HxfrClient c : sessions) {
                for (int i = 0; i < 2; i++) {
                    Answer a = c.readAnswer();
                    assertTrue(a.isFrame(), a.toString());
                }
            }
            peak = ResidentMemory.of(serve.pid());
        } finally {
            sessions.forEach(HxfrClient::close);
        }
        awaitCounter("connections active", v -> v == 0);
        long warm = awaitCounter("frame memory, all sessions and warm (bytes)", v -> v <= 32 * MIB);
        Thread.sleep(500);
        long after = ResidentMemory.of(serve.pid());
        System.out.println("serve idle " + mib(idle) + ", with six 32 MiB-frame sessions " + mib(peak) + ", after they closed "
                + mib(after) + " (frame memory kept warm: " + mib(warm) + ")");
        assertTrue(peak - idle > 300 * MIB, "the sessions really held their frames: " + mib(peak - idle));
        assertTrue(after - idle < 50 * MIB, "resident memory after the sessions closed is " + mib(after - idle)
                + " above idle");
    }
}
