package dev.framebridge.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.client.TestPattern;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.engine.CounterId;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The relay between a real client and a real engine, TCP on one side and Unix on the other. */
@Timeout(120)
class RelaySystemTest {
    @TempDir
    Path dir;

    @Test
    void carriesAFullStreamIntactAndItsCountersMatchTheEngines() throws Exception {
        EngineConfig config = new EngineConfig().listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .countersFile(dir.resolve("counters.dat"));
        ByteArrayOutputStream relayLog = new ByteArrayOutputStream();
        try (Engine engine = Engine.start(config, EncoderRegistry.standard().select("x264").backend(),
                new EngineLog(new PrintStream(OutputStreams.NULL), false))) {
            Relay relay = Relay.open(Endpoint.parse("tcp:127.0.0.1:0"), engine.endpoints().get(0), Duration.ofSeconds(2),
                    16 * 1024, true, new RelayLog(new PrintStream(relayLog, true))); // small buffer: many partial moves
            relay.startThread();
            int frames = 61;
            ByteArrayOutputStream h264 = new ByteArrayOutputStream();
            try (HxfrClient c = HxfrClient.connect(relay.listenEndpoint(), Duration.ofSeconds(10));
                 TestPattern p = new TestPattern(320, 240, PixelFormat.BGRA8888)) {
                c.sendHeaderOnly(Hxfr.MSG_PING);
                assertEquals(Hxfr.MSG_PONG, c.readAnswer().type());
                for (int i = 0; i < frames; i++) {
                    c.sendFrame(p.frame(i), p.frameBytes(), 320, 240, p.format(), p.stride(), i * 1000L, i % 60 == 0);
                    Answer a = c.readAnswer();
                    assertTrue(a.isFrame(), a.toString());
                    assertEquals(i * 1000L, a.pts());
                    h264.writeBytes(a.accessUnit().toArray(ValueLayout.JAVA_BYTE));
                }
                c.socket().shutdownOutput(); // the client hangs up first, with a half-close
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (relay.finished().isEmpty() && System.nanoTime() - deadline < 0) {
                    Thread.sleep(5);
                }
            } finally {
                relay.close();
            }
            Path file = dir.resolve("relayed.h264");
            Files.write(file, h264.toByteArray());
            List<Ffmpeg.Frame> decoded = Ffmpeg.probe(file);
            assertEquals(frames, decoded.size(), "frames decoded from the relayed stream");
            assertTrue(decoded.get(0).key() && decoded.get(60).key());

            List<RelayReport> reports = relay.finished();
            assertEquals(1, reports.size());
            RelayReport r = reports.get(0);
            assertEquals(engine.counters().get(CounterId.BYTES_IN).get(), r.upBytes(), "client→target bytes");
            assertEquals(engine.counters().get(CounterId.BYTES_OUT).get(), r.downBytes(), "target→client bytes");
            assertEquals(frames + 1, r.upMessages());
            assertEquals("FRAME_REQUEST " + frames + ", PING 1", r.upBreakdown());
            assertEquals(frames + 1, r.downMessages());
            assertEquals("FRAME_RESPONSE " + frames + ", PONG 1", r.downBreakdown());
            assertEquals(0, r.upNonHxfrBytes() + r.downNonHxfrBytes());
            assertEquals("client", r.firstHangup());
            assertNull(r.failure(), "a clean close on both sides");
            String log = relayLog.toString();
            assertTrue(log.contains("#1 client sent end of stream (half-close)"), log);
            assertTrue(log.contains("#1 target sent end of stream (half-close)"), log);
            assertTrue(log.contains("#1 client→target FRAME_REQUEST flags=0x1 session=1 payload=" + (44 + 320 * 240 * 4)),
                    "--trace prints headers:\n" + log);
            assertTrue(log.contains("the client hung up first"), log);
        }
    }

    /** A discarding stream without importing java.io.OutputStream.nullOutputStream at every use. */
    private static final class OutputStreams {
        static final java.io.OutputStream NULL = java.io.OutputStream.nullOutputStream();
    }
}
