package dev.framebridge.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.engine.CounterId;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.nativebuild.NativeProbe;
import dev.framebridge.transport.Endpoint;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * examples/byref-client.c, compiled here with the system C compiler against headers/hxfr.h, streams frames by
 * reference from a sealed memfd to a real engine: HELLO, REGISTER_POOL with SCM_RIGHTS, FRAME_REFs, UNREGISTER_POOL.
 * Its H.264 decodes with ffmpeg, and the engine holds no mapping afterwards.
 */
@Timeout(120)
class CByReferenceClientTest {
    private static Path client;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        client = NativeProbe.compile(NativeProbe.baseDir().resolve("examples/byref-client.c"), "byref-client", "-O2",
                "-Wextra");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bgra", "nv12"})
    void theCExampleStreamsFramesByReferenceThatDecode(String format) throws Exception {
        EngineConfig config = new EngineConfig().listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .countersFile(dir.resolve("counters.dat"));
        Path out = dir.resolve("out-" + format + ".h264");
        try (Engine engine = Engine.start(config, EncoderRegistry.standard().select("x264").backend(),
                new EngineLog(new PrintStream(OutputStream.nullOutputStream()), false))) {
            Process p = new ProcessBuilder(client.toString(), engine.endpoints().get(0).toString(), out.toString(),
                    "--frames", "45", "--size", "321x179", "--format", format).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "byref-client did not finish: " + log);
            assertEquals(0, p.exitValue(), "byref-client failed:\n" + log);
            assertTrue(log.contains("byref-client: 45 frames by reference"), log);
            assertTrue(log.contains("encoder x264"), log);
            assertEquals(45, engine.counters().get(CounterId.FRAMES_BY_REFERENCE).get());
            assertEquals(0, engine.counters().get(CounterId.FRAMES_IN_BAND).get());
            assertEquals(1, engine.counters().get(CounterId.POOLS_REGISTERED).get());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (engine.counters().get(CounterId.POOLS_MAPPED).get() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0, engine.counters().get(CounterId.POOLS_MAPPED).get(), "the pool was unmapped");
        }
        List<Ffmpeg.Frame> frames = Ffmpeg.probe(out);
        assertEquals(45, frames.size());
        assertEquals(320, frames.get(0).width(), "odd sizes are cropped to even");
        assertEquals(178, frames.get(0).height());
        assertTrue(frames.get(0).key());
        byte[] decoded = Ffmpeg.decode(out, "yuv420p");
        assertEquals(45L * 320 * 178 * 3 / 2, decoded.length);
    }
}
