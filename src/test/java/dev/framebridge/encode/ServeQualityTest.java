package dev.framebridge.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.transport.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole path, as {@code framebridge serve --encoder x264} runs it: every pixel format the wire carries, with
 * padded rows, sent over a Unix socket as vsockenc does, decoded by ffmpeg and compared with the source frames.
 */
@Timeout(120)
class ServeQualityTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = PixelFormat.class, names = {"BGRA8888", "RGBA8888", "NV12"})
    void serveStreamsDecodeFaithfullyForEveryWireFormat(PixelFormat format) throws Exception {
        TestVideo video = new TestVideo(352, 288);
        int frames = 30;
        int stride = TestVideo.paddedStride(format, video.width);
        EngineConfig config = new EngineConfig().listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .countersFile(dir.resolve("counters.dat")).bitrate(8_000_000);
        EncoderBackend x264 = EncoderRegistry.standard().select("x264").backend();
        ByteArrayOutputStream h264 = new ByteArrayOutputStream();
        try (Engine engine = Engine.start(config, x264, new EngineLog(new PrintStream(OutputStream.nullOutputStream()), false));
             HxfrClient client = HxfrClient.connect(engine.endpoints().get(0), Duration.ofSeconds(10));
             Arena arena = Arena.ofConfined()) {
            for (int t = 0; t < frames; t++) {
                MemorySegment pixels = video.frame(arena, format, stride, t);
                client.sendFrame(pixels, pixels.byteSize(), video.width, video.height, format, stride, t * 33_333_333L, t == 0);
                Answer a = client.readAnswer();
                assertTrue(a.isFrame(), "frame " + t + ": " + a);
                h264.writeBytes(a.accessUnit().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        Path file = dir.resolve(format + ".h264");
        Files.write(file, h264.toByteArray());
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(file);
        assertEquals(frames, probed.size());
        assertEquals(352, probed.get(0).width());
        assertEquals(288, probed.get(0).height());

        byte[] decoded = Ffmpeg.decode(file, "yuv420p");
        double[] psnr = video.psnr(decoded, frames);
        double y = psnr[0];
        double u = psnr[1];
        double v = psnr[2];
        System.out.printf(Locale.ROOT, "serve x264 %s 352x288 over Unix @8 Mbit/s: PSNR Y %.2f dB, U %.2f dB, V %.2f dB, %d bytes/frame%n",
                format, y, u, v, h264.size() / frames);
        assertTrue(y >= 35 && u >= 35 && v >= 35, "PSNR Y/U/V " + y + "/" + u + "/" + v + " dB: below 35");
    }
}
