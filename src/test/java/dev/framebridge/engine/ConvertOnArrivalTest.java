package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BGRA frames are converted to NV12 on the I/O thread band by band as they arrive (a frame larger than the socket
 * buffer comes in many reads): the H.264 must be byte for byte what the encoder makes converting whole frames itself.
 */
@Timeout(120)
class ConvertOnArrivalTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void framesConvertedAsTheyArriveEncodeToTheSameBytesAsFramesTheEncoderConverts(int encodeThreads) throws Exception {
        int frames = 24;
        // odd size: the last column and row are cropped either way; ~1 MB a frame, far more than one read
        int width = 641;
        int height = 361;
        byte[] onArrival;
        byte[] inEncoder;
        try (EngineHarness.Pattern p = new EngineHarness.Pattern(width, height)) {
            Path a = Files.createDirectory(dir.resolve("arrival"));
            try (EngineHarness h = new EngineHarness(a, c -> c.encodeAgents(encodeThreads).encoderThreads(1))) {
                onArrival = stream(h, p, frames);
                assertEquals(frames, h.counter(CounterId.FRAMES_CONVERTED_ON_ARRIVAL), "every frame converted on arrival");
            }
            Path b = Files.createDirectory(dir.resolve("encoder"));
            try (EngineHarness h = new EngineHarness(b, c -> c.encodeAgents(encodeThreads).encoderThreads(1)
                    .convertOnArrival(false))) {
                inEncoder = stream(h, p, frames);
                assertEquals(0, h.counter(CounterId.FRAMES_CONVERTED_ON_ARRIVAL));
            }
        }
        assertTrue(onArrival.length > frames * 100, "real output: " + onArrival.length + " bytes");
        assertEquals(-1, java.util.Arrays.mismatch(onArrival, inEncoder), "H.264 differs at the byte shown");
    }

    /** Two requests outstanding, alternating a moving pattern and noise so every frame's content matters. */
    private static byte[] stream(EngineHarness h, EngineHarness.Pattern p, int frames) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (HxfrClient c = h.connect(h.unix)) {
            int sent = 0;
            for (int received = 0; received < frames; received++) {
                while (sent < frames && sent - received < 2) {
                    var pixels = sent % 3 == 2 ? p.noise(sent) : p.frame(sent);
                    c.sendFrame(pixels, p.bytes(), p.width, p.height, p.format, p.stride, sent * 33_333_333L, sent == 0);
                    sent++;
                }
                Answer answer = c.readAnswer();
                assertTrue(answer.isFrame(), "answer " + received + ": " + answer);
                out.writeBytes(answer.accessUnit().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        return out.toByteArray();
    }
}
