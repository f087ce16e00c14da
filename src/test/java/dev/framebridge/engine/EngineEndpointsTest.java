package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.protocol.ConfigRequestFlyweight;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.Endpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Transports, limits and reconfiguration through a running engine. */
@Timeout(120)
class EngineEndpointsTest {
    @TempDir
    Path dir;

    private static Answer frame(HxfrClient c, EngineHarness.Pattern p, int n, boolean key) throws Exception {
        c.sendFrame(p.frame(n), p.bytes(), p.width, p.height, p.format, p.stride, n, key);
        return c.readAnswer();
    }

    @Test
    void unixSocketIsCreatedOwnerOnlyAndRemovedOnClose() throws Exception {
        Path sock;
        try (EngineHarness h = new EngineHarness(dir, c -> c)) {
            sock = Path.of(((Endpoint.Unix) h.unix).path());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        }
        assertFalse(Files.exists(sock), "socket file removed at shutdown");
        assertFalse(Files.exists(dir.resolve("counters.dat")), "counters file removed at shutdown");
    }

    @Test
    void hybridVsockListenerServesGuestConnectionsOnUdsPathPort() throws Exception {
        // Firecracker/Cloud Hypervisor forward a guest's connect to port P as a Unix connection to UDS_PATH_P.
        Path uds = dir.resolve("v.sock");
        try (EngineHarness h = new EngineHarness(dir, c -> c.listen(Endpoint.parse("hvsock:" + uds + ":5000")));
             EngineHarness.Pattern p = new EngineHarness.Pattern(96, 64)) {
            assertTrue(Files.exists(dir.resolve("v.sock_5000")), "listens on UDS_PATH_PORT");
            try (HxfrClient guest = h.connect(Endpoint.parse("unix:" + dir.resolve("v.sock_5000")))) {
                for (int i = 0; i < 3; i++) {
                    assertTrue(frame(guest, p, i, i == 0).isFrame());
                }
            }
        }
    }

    @Test
    void vsockListenerBindsWithoutAnyConnect() throws Exception {
        // No vsock loopback here: bind and listen only (never connect to a CID).
        EngineHarness h;
        try {
            h = new EngineHarness(dir, c -> c.listen(Endpoint.parse("vsock:any:" + (40000 + ProcessHandle.current().pid() % 20000))));
        } catch (java.io.IOException e) {
            assumeTrue(false, "AF_VSOCK unavailable on this kernel: " + e.getMessage());
            return;
        }
        try (h) {
            List<Endpoint> endpoints = h.engine.endpoints();
            assertTrue(endpoints.stream().anyMatch(e -> e instanceof Endpoint.Vsock), endpoints.toString());
            assertTrue(h.engine.counters().file().endpoints().contains("vsock:"), "stat shows the vsock endpoint");
        }
    }

    @Test
    void connectionsOverTheLimitAreRefusedWithAReason() throws Exception {
        try (EngineHarness h = new EngineHarness(dir, c -> c.maxConnections(1));
             HxfrClient first = h.connect(h.unix);
             HxfrClient second = h.connect(h.tcp)) {
            first.sendHeaderOnly(Hxfr.MSG_PING);
            assertEquals(Hxfr.MSG_PONG, first.readAnswer().type());
            Answer refused = second.readAnswer();
            assertEquals(ErrorCode.INTERNAL, refused.errorCode());
            assertTrue(refused.errorMessage().contains("--max-connections"), refused.errorMessage());
            assertEquals(1, h.counter(CounterId.CONNECTIONS_REFUSED));
        }
    }

    @Test
    void configRequestChangesTheBitrateWithoutAnAnswer() throws Exception {
        try (EngineHarness h = new EngineHarness(dir, c -> c.bitrate(8_000_000));
             HxfrClient c = h.connect(h.unix);
             EngineHarness.Pattern p = new EngineHarness.Pattern(320, 240);
             Arena arena = Arena.ofConfined()) {
            long high = 0;
            for (int i = 0; i < 30; i++) {
                p.noise(i);
                c.sendFrame(p.pixels, p.bytes(), p.width, p.height, p.format, p.stride, i, i == 0);
                high += c.readAnswer().accessUnit().byteSize();
            }
            MemorySegment m = arena.allocate(ConfigRequestFlyweight.LENGTH);
            new ConfigRequestFlyweight().wrap(m, 0).header(0, 1).width(0).height(0).bitrate(300_000)
                    .framerateNum(30).framerateDen(1).profile(77).level(0).realtime(true);
            c.sendRaw(m, m.byteSize());
            long low = 0;
            for (int i = 30; i < 60; i++) {
                p.noise(i);
                c.sendFrame(p.pixels, p.bytes(), p.width, p.height, p.format, p.stride, i, false);
                Answer a = c.readAnswer();
                assertTrue(a.isFrame(), "CONFIG_REQ is not answered on success; the next answer is the frame: " + a);
                assertEquals(i, a.pts());
                low += a.accessUnit().byteSize();
            }
            System.out.println("30 noise frames: " + high + " B at 8 Mbit/s, " + low + " B after CONFIG_REQ 300 kbit/s");
            assertTrue(low * 4 < high, "bitrate change shrank the output: " + high + " -> " + low);
            assertEquals(1, h.counter(CounterId.CONFIG_REQUESTS));
        }
    }

    @Test
    void invalidConfigRequestIsAnsweredWithError() throws Exception {
        try (EngineHarness h = new EngineHarness(dir, c -> c);
             HxfrClient c = h.connect(h.unix);
             Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(ConfigRequestFlyweight.LENGTH);
            new ConfigRequestFlyweight().wrap(m, 0).header(0, 1).width(640).height(480).bitrate(1_000_000)
                    .framerateNum(30).framerateDen(0).profile(77).level(0).realtime(true);
            c.sendRaw(m, m.byteSize());
            Answer a = c.readAnswer();
            assertEquals(ErrorCode.INVALID_MSG, a.errorCode());
            assertEquals("CONFIG_REQ framerate 30/0: framerate_den must be non-zero", a.errorMessage());
        }
    }

    @Test
    void frameSizeChangeMidStreamReopensTheEncoderWithAnIdr() throws Exception {
        try (EngineHarness h = new EngineHarness(dir, c -> c);
             HxfrClient c = h.connect(h.unix);
             EngineHarness.Pattern small = new EngineHarness.Pattern(160, 120);
             EngineHarness.Pattern big = new EngineHarness.Pattern(320, 240)) {
            assertTrue(frame(c, small, 0, true).keyframe());
            assertFalse(frame(c, small, 1, false).keyframe());
            Answer resized = frame(c, big, 2, false);
            assertTrue(resized.keyframe(), "a new size starts with an IDR (new SPS)");
            assertEquals(2, h.counter(CounterId.ENCODER_OPENS));
        }
    }
}
