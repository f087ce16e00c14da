package dev.framebridge.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.encode.AnnexB;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.encode.X264Backend;
import dev.framebridge.push.PushSource;
import dev.framebridge.push.PushSubscriber;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

class QemuDisplayTest {

    @Test
    void seaBiosTextConsoleArrivesAsScanoutOfItsSize() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (QemuProcess qemu = QemuProcess.startP2p();
             QemuDisplay display = QemuDisplay.attachP2p(qemu.qmp.toString(), log::add)) {
            assertEquals(1, display.frames().size(), "one VGA console; log " + log);
            ConsoleFrame frame = display.frames().get(0);
            long deadline = System.nanoTime() + 30_000_000_000L;
            long seen = 0;
            while (System.nanoTime() < deadline && !(frame.width() == 720 && frame.height() == 400 && litPixels(frame) > 0)) {
                seen = frame.awaitChange(seen, 500);
            }
            System.out.println("console 0: " + frame.width() + "x" + frame.height() + " scanouts " + frame.scanouts()
                    + " updates " + frame.updates() + " outside " + frame.outsideUpdates() + " re-registrations "
                    + display.reregistrations() + " lit " + litPixels(frame) + " log " + log);
            assertEquals(720, frame.width(), "SeaBIOS's 80x25 text mode is 720x400; log " + log);
            assertEquals(400, frame.height());
            assertTrue(frame.scanouts() >= 1);
            assertTrue(litPixels(frame) > 0, "SeaBIOS's banner draws some pixels");
            assertEquals(0, frame.refused(), frame.lastRefusal());
            // QEMU 7.2 switches 640x480 (no output yet) -> 720x400 (text mode) without a Scanout: the listener sees
            // Updates outside the picture and registers again, and QEMU answers with the whole new surface
            assertTrue(display.reregistrations() >= 1, "the silent surface switch was noticed");
        }
    }

    private static long litPixels(ConsoleFrame frame) {
        synchronized (frame) {
            MemorySegment p = frame.pixels();
            long lit = 0;
            for (long i = 0; i + 4 <= p.byteSize(); i += 4) {
                if ((p.get(ValueLayout.JAVA_INT_UNALIGNED, i) & 0xFFFFFF) != 0) {
                    lit++;
                }
            }
            return lit;
        }
    }

    @Test
    void qemuQuittingBlanksTheConsoleAndSaysSo() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (QemuProcess qemu = QemuProcess.startP2p("-S");
             QemuDisplay display = QemuDisplay.attachP2p(qemu.qmp.toString(), log::add)) {
            ConsoleFrame frame = display.frames().get(0);
            assertTrue(frame.awaitChange(0, 20_000) > 0, "a paused VM's console still has a picture");
            assertTrue(frame.enabled());
            qemu.kill();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (frame.enabled() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(frame.enabled(), "the console is blank once QEMU is gone");
            assertTrue(log.stream().anyMatch(l -> l.contains("QEMU closed the display listener")), log.toString());
        }
    }

    @Test
    void qemuWithoutPeerToPeerDisplayIsNamedAsTheCause() throws Exception {
        try (QemuProcess qemu = QemuProcess.start("-S", "-display", "none")) {
            IOException e = assertThrows(IOException.class, () -> QemuDisplay.attachP2p(qemu.qmp.toString(), l -> { }));
            assertTrue(e.getMessage().contains("add_client") && e.getMessage().contains("-display dbus,p2p=yes"),
                    e.getMessage());
        }
    }

    @Test
    void missingQmpSocketIsNamedWithTheOptionToAdd() {
        IOException e = assertThrows(IOException.class,
                () -> QemuDisplay.attachP2p("/nonexistent/framebridge-qmp.sock", l -> { }));
        assertTrue(e.getMessage().contains("/nonexistent/framebridge-qmp.sock") && e.getMessage().contains("-qmp unix:"),
                e.getMessage());
    }

    @Test
    void pushSourceOnQemusConsoleStartsSubscribersAtAnIdrOfTheConsolesSize() throws Exception {
        try (QemuProcess qemu = QemuProcess.startP2p("-S");
             QemuDisplay display = QemuDisplay.attachP2p(qemu.qmp.toString(), l -> { })) {
            ConsoleFrame frame = display.frames().get(0);
            assertTrue(frame.awaitChange(0, 20_000) > 0);
            try (PushSource source = new PushSource(frame, new X264Backend(), 30, l -> { })) {
                Thread t = Thread.ofPlatform().start(source);
                PushSubscriber s = source.subscribe();
                byte[][] got = new byte[1][];
                boolean[] key = new boolean[1];
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (got[0] == null && System.nanoTime() < deadline) {
                    if (!s.poll((buf, len, k, pts) -> {
                        got[0] = buf.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
                        key[0] = k;
                    })) {
                        s.awaitNewer(100);
                    }
                }
                source.stop();
                t.join(5_000);
                assertTrue(got[0] != null && key[0], "QEMU's console pushed as an IDR");
                assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(got[0])), "with SPS/PPS first");
                Path h264 = qemu.dir.resolve("console.h264");
                Files.write(h264, got[0]);
                List<Ffmpeg.Frame> frames = Ffmpeg.probe(h264);
                assertEquals(1, frames.size());
                assertTrue(frames.get(0).key());
                assertEquals(frame.width(), frames.get(0).width(), "the decoder sees the console's size");
                assertEquals(frame.height(), frames.get(0).height());
                // a paused VM's picture does not change: the decoded frame must match the console's pixels
                byte[] rgb = Ffmpeg.decode(h264, "rgb24");
                double sq = 0;
                int n = 0;
                synchronized (frame) {
                    MemorySegment p = frame.pixels();
                    for (int i = 0; i < frame.width() * frame.height(); i++) {
                        int bgra = p.get(ValueLayout.JAVA_INT_UNALIGNED, i * 4L);
                        int[] src = {(bgra >> 16) & 0xFF, (bgra >> 8) & 0xFF, bgra & 0xFF};
                        for (int c = 0; c < 3; c++) {
                            double d = src[c] - (rgb[i * 3 + c] & 0xFF);
                            sq += d * d;
                            n++;
                        }
                    }
                }
                double psnr = 10 * Math.log10(255.0 * 255.0 / Math.max(sq / n, 1e-9));
                System.out.printf("QEMU console %dx%d pushed as a %d-byte IDR, PSNR %.1f dB%n", frame.width(),
                        frame.height(), got[0].length, psnr);
                assertTrue(psnr >= 35, "PSNR " + psnr);
            }
        }
    }

    @Test
    void privateBusVariantDeliversTheSameConsole() throws Exception {
        Path dir = Files.createTempDirectory("fb-bus");
        Path bus = dir.resolve("bus");
        Process daemon = new ProcessBuilder("dbus-daemon", "--session", "--nofork", "--nopidfile",
                "--address=unix:path=" + bus).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        try {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!Files.exists(bus) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<String> log = new CopyOnWriteArrayList<>();
            try (QemuProcess qemu = QemuProcess.start("-display", "dbus,addr=unix:path=" + bus)) {
                QemuDisplay display = null;
                // QEMU takes its bus name a moment after it starts listening on QMP
                while (display == null && System.nanoTime() < deadline) {
                    try {
                        display = QemuDisplay.attachBus(bus.toString(), log::add);
                    } catch (dev.framebridge.dbus.DBusErrorException e) {
                        Thread.sleep(100);
                    }
                }
                assertTrue(display != null, "attached over the bus");
                try (QemuDisplay d = display) {
                    ConsoleFrame frame = d.frames().get(0);
                    while (System.nanoTime() < deadline && !(frame.width() == 720 && frame.height() == 400)) {
                        frame.awaitChange(frame.version(), 500);
                    }
                    assertEquals(720, frame.width(), "SeaBIOS text mode over the bus too; log " + log);
                    assertEquals(400, frame.height());
                }
            }
        } finally {
            daemon.destroy();
            daemon.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
