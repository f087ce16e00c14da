package dev.framebridge.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.encode.AnnexB;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.engine.CounterId;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.push.PushSource;
import dev.framebridge.transport.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push mode end to end: a guest-less QEMU 7.2 ({@code -display dbus,p2p=yes}, SeaBIOS on -vga std), the engine
 * attached through QMP as {@code serve --qemu-display} does, subscribers on its Unix socket.
 */
@Timeout(180)
class QemuPushTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

    private Engine serve(QemuProcess qemu) throws Exception {
        EngineConfig config = new EngineConfig().listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .countersFile(dir.resolve("counters.dat")).encodeAgents(1).qemuDisplay(qemu.qmp.toString()).pushFps(30);
        return Engine.start(config, EncoderRegistry.standard().select("x264").backend(),
                new EngineLog(new PrintStream(logBytes, true), true));
    }

    private String log() {
        return logBytes.toString();
    }

    private static HxfrClient.Answer frame(HxfrClient client, String what) throws Exception {
        HxfrClient.Answer a = client.readAnswer();
        assertTrue(a.isFrame(), what + ": " + a);
        return a;
    }

    @Test
    void subscribersGetTheConsoleAsH264ALateJoinerStartsAtAnIdrAndBothShareTheEncode() throws Exception {
        try (QemuProcess qemu = QemuProcess.startP2p("-S"); Engine engine = serve(qemu)) {
            PushSource source = engine.scanouts().source(1);
            ConsoleFrame console = source.frame();
            assertTrue(console.awaitChange(0, 20_000) > 0, "QEMU sent the paused VM's console; log " + log());
            try (HxfrClient first = HxfrClient.connect(Endpoint.parse("unix:" + dir.resolve("fb.sock")), TIMEOUT);
                 HxfrClient late = HxfrClient.connect(Endpoint.parse("unix:" + dir.resolve("fb.sock")), TIMEOUT)) {
                assertTrue(first.subscribe(1), "scanout 1 = console 0; log " + log());
                HxfrClient.Answer a = frame(first, "first pushed");
                assertTrue(a.keyframe() && AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(bytes(a))), "IDR with SPS/PPS");
                Path h264 = dir.resolve("console.h264");
                Files.write(h264, bytes(a));
                List<Ffmpeg.Frame> decoded = Ffmpeg.probe(h264);
                assertEquals(1, decoded.size());
                assertEquals(console.width() & ~1, decoded.get(0).width(), "ffmpeg sees the console's size");
                assertEquals(console.height() & ~1, decoded.get(0).height());
                double psnr = psnr(console, Ffmpeg.decode(h264, "rgb24"));
                System.out.printf("QEMU console %dx%d pushed through the engine: %d-byte IDR, PSNR %.1f dB%n",
                        console.width(), console.height(), a.accessUnit().byteSize(), psnr);
                assertTrue(psnr >= 35, "PSNR " + psnr);

                long encodes = source.encodes();
                assertTrue(late.subscribe(1));
                byte[] lateFirst = bytes(frame(late, "late joiner's first"));
                assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(lateFirst)), "a late joiner starts at an IDR");
                byte[] firstGot = bytes(frame(first, "the first subscriber's copy of the late joiner's IDR"));
                assertArrayEquals(lateFirst, firstGot, "one encode, the same bytes to both subscribers");
                assertEquals(encodes + 1, source.encodes(), "the late joiner cost one encode, shared");
                assertEquals(2, engine.counters().get(CounterId.PUSH_SUBSCRIBERS).get());
            }
        }
    }

    private static byte[] bytes(HxfrClient.Answer a) {
        return a.accessUnit().toArray(ValueLayout.JAVA_BYTE);
    }

    private static double psnr(ConsoleFrame frame, byte[] rgb) {
        double sq = 0;
        long n = 0;
        synchronized (frame) {
            MemorySegment p = frame.pixels();
            int w = frame.width() & ~1;
            int h = frame.height() & ~1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int bgra = p.get(ValueLayout.JAVA_INT_UNALIGNED, ((long) y * frame.width() + x) * 4);
                    int[] src = {(bgra >> 16) & 0xFF, (bgra >> 8) & 0xFF, bgra & 0xFF};
                    for (int c = 0; c < 3; c++) {
                        double d = src[c] - (rgb[(y * w + x) * 3 + c] & 0xFF);
                        sq += d * d;
                        n++;
                    }
                }
            }
        }
        return 10 * Math.log10(255.0 * 255.0 / Math.max(sq / n, 1e-9));
    }

    @Test
    void qemuQuittingTellsSubscribersAndPullClientsAreStillServed() throws Exception {
        try (QemuProcess qemu = QemuProcess.startP2p("-S"); Engine engine = serve(qemu);
             Arena arena = Arena.ofConfined()) {
            assertTrue(engine.scanouts().source(1).frame().awaitChange(0, 20_000) > 0);
            Endpoint sock = Endpoint.parse("unix:" + dir.resolve("fb.sock"));
            try (HxfrClient client = HxfrClient.connect(sock, TIMEOUT)) {
                assertTrue(client.subscribe(1));
                frame(client, "first pushed");
                qemu.kill();
                HxfrClient.Answer told = client.readAnswer();
                assertTrue(told.isError(), "the subscriber is told: " + told);
                assertEquals(ErrorCode.RESOURCE_NOT_FOUND, told.errorCode());
                assertTrue(told.errorMessage().contains("scanout 1 ended") && told.errorMessage().contains("VM quit"),
                        told.errorMessage());
                assertTrue(log().contains("QEMU closed console 0's display listener"), log());
                // the same connection and a new one still get pull answers
                MemorySegment pixels = arena.allocate(64 * 48 * 4);
                client.sendFrame(pixels, pixels.byteSize(), 64, 48, PixelFormat.BGRA8888, 64 * 4, 7, true);
                assertTrue(frame(client, "pull after QEMU quit").keyframe());
                assertFalse(client.subscribe(1), "an ended scanout takes no new subscribers");
            }
            try (HxfrClient other = HxfrClient.connect(sock, TIMEOUT)) {
                other.sendHeaderOnly(Hxfr.MSG_PING);
                assertEquals(Hxfr.MSG_PONG, other.readAnswer().type());
            }
        }
    }

    @Test
    void enableScanoutReachesQemuAsSetUiInfoAndARefusalIsLogged() throws Exception {
        // console 0: -vga std (no UI info in QEMU: SetUIInfo refused); console 1: virtio-gpu-pci (takes head sizes)
        try (QemuProcess qemu = QemuProcess.startP2p("-S", "-device", "virtio-gpu-pci"); Engine engine = serve(qemu)) {
            QemuDisplay display = engine.scanouts().display();
            assertEquals(2, display.frames().size(), "two consoles: " + engine.scanouts().describe());
            try (HxfrClient client = HxfrClient.connect(Endpoint.parse("unix:" + dir.resolve("fb.sock")), TIMEOUT)) {
                assertEquals("Virtual-2", client.enableScanout(2, 1024, 768, 60));
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (display.headsSet() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(1, display.headsSet(), "virtio-gpu took the head size; log " + log());
                assertEquals("Virtual-1", client.enableScanout(1, 1024, 768, 60));
                while (display.headsRefused() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(1, display.headsRefused(), "-vga std takes no head size; log " + log());
                assertTrue(log().contains("console 0: QEMU refused the head size") && log().contains("virtio-gpu"), log());
                client.disableScanout(2);
                while (display.headsSet() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(2, display.headsSet(), "DISABLE_SCANOUT reached QEMU as a 0x0 head");
            }
        }
    }
}
