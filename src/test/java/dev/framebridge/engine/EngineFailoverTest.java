package dev.framebridge.engine;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.client.MemfdPool;
import dev.framebridge.encode.AnnexB;
import dev.framebridge.encode.FailingAt;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.encode.avcodec.AvcodecBackend;
import dev.framebridge.encode.avcodec.AvcodecCodec;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
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

    /**
     * Frames by reference on a GPU-encoder session (libx264 through libavcodec standing in, made to fail at frame 10):
     * read in place from the client's sealed memfd, every one answered, one IDR at the switch, decodable whole. A
     * memfd pool is not a DMA-BUF, so none is offered to the GPU (the DMA-BUF counters stay at 0).
     */
    @Test
    void framesByReferenceOnAGpuEncoderSessionAreEncodedAndSurviveItsFailure() throws Exception {
        EngineConfig config = new EngineConfig()
                .listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .countersFile(dir.resolve("counters.dat"))
                .encodeAgents(1);
        FailingAt failing = new FailingAt(new AvcodecBackend(AvcodecCodec.LIBX264), SWITCH_AT);
        try (Engine engine = Engine.start(config, failing, new EngineLog(new PrintStream(new ByteArrayOutputStream()), false));
             HxfrClient client = HxfrClient.connect(engine.endpoints().get(0), EngineHarness.TIMEOUT);
             EngineHarness.Pattern p = new EngineHarness.Pattern(320, 240);
             MemfdPool pool = MemfdPool.create("failover", 2 * p.bytes())) {
            assertTrue(client.hello(Hxfr.CAP_POOL_FD | Hxfr.CAP_FRAME_REF).grants(Hxfr.CAP_FRAME_REF));
            int id = client.registerPool(pool);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            List<Integer> keyframes = new ArrayList<>();
            for (int i = 0; i < FRAMES; i++) {
                long at = (i % 2) * p.bytes();
                MemorySegment.copy(p.frame(i), 0, pool.segment(), at, p.bytes());
                long pts = i * 33_333_333L;
                client.sendFrameRef(id, at, p.format, p.width, p.height, new long[] {0}, new int[] {p.stride}, pts,
                        false);
                Answer a = client.readAnswer();
                assertTrue(a.isFrame(), "frame " + i + " by reference answered with " + a);
                if (a.keyframe()) {
                    keyframes.add(i);
                }
                stream.writeBytes(a.accessUnit().toArray(ValueLayout.JAVA_BYTE));
            }
            assertEquals(List.of(0, SWITCH_AT), keyframes);
            assertEquals(FRAMES, Ffmpeg.probe(Files.write(dir.resolve("byref.h264"), stream.toByteArray())).size());
            assertEquals(FRAMES, engine.counters().get(CounterId.FRAMES_BY_REFERENCE).get());
            assertEquals(1, engine.counters().get(CounterId.ENCODER_FAILOVERS).get());
            for (CounterId c : List.of(CounterId.DMABUF_IMPORTED, CounterId.DMABUF_CPU_ENCODER,
                    CounterId.DMABUF_CPU_FORMAT, CounterId.DMABUF_CPU_REFUSED)) {
                assertEquals(0, engine.counters().get(c).get(), c.label());
            }
        }
    }
}
