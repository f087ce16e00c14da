package dev.framebridge.engine;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.encode.AnnexB;
import dev.framebridge.encode.FailingAt;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.encode.avcodec.AvcodecBackend;
import dev.framebridge.encode.avcodec.AvcodecCodec;
import dev.framebridge.transport.Endpoint;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover seen from the client: the engine's encoder (libx264 through libavcodec, the GPU encoders' path) breaks at
 * frame 10 as a lost GPU would, and the client — streaming like vsockenc, one request outstanding — gets an access
 * unit for every frame, no ERROR, one IDR with SPS/PPS at frame 10, and a stream ffmpeg decodes whole. The engine
 * counts the failover and logs it. Run with encode agents and with encoding on the I/O thread.
 */
@Timeout(120)
class EngineFailoverTest {
    private static final int SWITCH_AT = 10;
    private static final int FRAMES = 30;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {2, 0})
    void aGpuEncoderThatFailsMidSessionIsReplacedByX264WithoutTheClientSeeingAGap(int encodeAgents) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        EngineConfig config = new EngineConfig()
                .listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .countersFile(dir.resolve("counters.dat"))
                .encodeAgents(encodeAgents);
        FailingAt failing = new FailingAt(new AvcodecBackend(AvcodecCodec.LIBX264), SWITCH_AT);
        try (Engine engine = Engine.start(config, failing, new EngineLog(new PrintStream(log, true), false));
             HxfrClient client = HxfrClient.connect(engine.endpoints().get(0), EngineHarness.TIMEOUT);
             EngineHarness.Pattern p = new EngineHarness.Pattern(320, 240)) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            List<Integer> keyframes = new ArrayList<>();
            for (int i = 0; i < FRAMES; i++) {
                long pts = i * 33_333_333L;
                client.sendFrame(p.frame(i), p.bytes(), p.width, p.height, p.format, p.stride, pts, false);
                Answer a = client.readAnswer();
                assertTrue(a.isFrame(), "frame " + i + " answered with " + a);
                assertEquals(pts, a.pts());
                byte[] au = a.accessUnit().toArray(ValueLayout.JAVA_BYTE);
                if (a.keyframe()) {
                    keyframes.add(i);
                    assertTrue(AnnexB.parameterSetsPrecedeIdr(AnnexB.nalTypes(au)), "SPS/PPS before the IDR of " + i);
                }
                stream.writeBytes(au);
            }
            assertEquals(List.of(0, SWITCH_AT), keyframes);
            Path file = Files.write(dir.resolve("failover.h264"), stream.toByteArray());
            List<Ffmpeg.Frame> decoded = Ffmpeg.probe(file);
            assertEquals(FRAMES, decoded.size(), "ffprobe decodes every frame across the switch");
            assertEquals(1, engine.counters().get(CounterId.ENCODER_FAILOVERS).get());
            assertEquals(0, engine.counters().get(CounterId.ERRORS_OUT).get());
            assertEquals(0, engine.counters().get(CounterId.ERR_ENCODE_FAILED).get());
            assertTrue(log.toString().contains("encoder libx264 failed (libx264 lost its device (simulated at frame 10));"
                    + " the session goes on with x264 from an IDR with SPS/PPS"), log.toString());
        }
    }
}
