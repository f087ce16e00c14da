package dev.framebridge.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.client.MemfdPool;
import dev.framebridge.engine.Engine;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.engine.EngineLog;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.Hxfr;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Frames by reference through {@code serve}'s engine, as a producer sharing a sealed memfd would send them: odd sizes,
 * padded strides, planes apart from each other. Decoded by ffmpeg they match the source at ≥ 35 dB, and for every
 * format the wire also carries in band the H.264 is byte for byte what the same pixels give in band, on the same
 * engine with the same settings.
 */
@Timeout(180)
class ByReferenceQualityTest {
    private static final int FRAMES = 24;
    private static final long FRAME_NS = 33_333_333L;
    private static final int W = 353; // odd: the encoder crops to 352x288, both paths the same way
    private static final int H = 289;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(PixelFormat.class)
    void byReferenceDecodesFaithfullyAndMatchesInBandByteForByte(PixelFormat format) throws Exception {
        TestVideo video = new TestVideo(W, H);
        EngineConfig config = new EngineConfig().listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .countersFile(dir.resolve("counters.dat")).bitrate(8_000_000).encodeAgents(1)
                // One x264 thread: with sliced threads and VBV, x264's row-level rate control depends on how the slice
                // threads happen to interleave, so even the same frames sent twice in band differ from run to run.
                .encoderThreads(1);
        EncoderBackend x264 = EncoderRegistry.standard().select("x264").backend();
        // the pool's layout: a junk prefix, then per plane a stride padded past the row, planes in reverse order
        int[] strides = new int[format.planes()];
        long[] planeOffsets = new long[format.planes()];
        long planeArea = 0;
        for (int p = format.planes() - 1; p >= 0; p--) {
            strides[p] = (int) ((format.planeRowBytes(p, W) + 100 + 63) & ~63);
            planeOffsets[p] = planeArea;
            planeArea += (long) strides[p] * format.planeRows(p, H) + 4096;
        }
        long frameArea = (planeArea + 4095) & ~4095L;
        long prefix = 12_288;

        ByteArrayOutputStream byRef = new ByteArrayOutputStream();
        ByteArrayOutputStream inBand = new ByteArrayOutputStream();
        try (Engine engine = Engine.start(config, x264, new EngineLog(new PrintStream(OutputStream.nullOutputStream()), false));
             HxfrClient refClient = HxfrClient.connect(engine.endpoints().get(0), Duration.ofSeconds(20));
             HxfrClient bandClient = HxfrClient.connect(engine.endpoints().get(0), Duration.ofSeconds(20));
             MemfdPool pool = MemfdPool.create("quality", prefix + 2 * frameArea);
             Arena arena = Arena.ofConfined()) {
            assertTrue(refClient.hello(Hxfr.CAP_POOL_FD | Hxfr.CAP_FRAME_REF).grants(Hxfr.CAP_FRAME_REF));
            int id = refClient.registerPool(pool);
            pool.segment().fill((byte) 0x77);
            boolean inBandToo = format != PixelFormat.I420; // FRAME_REQUEST carries AR24, AB24 and NV12 only
            int bandStride = TestVideo.paddedStride(format, W);
            for (int t = 0; t < FRAMES; t++) {
                long at = prefix + (t % 2) * frameArea;
                long[] absolute = new long[format.planes()];
                for (int p = 0; p < absolute.length; p++) {
                    absolute[p] = at + planeOffsets[p];
                }
                write(video, format, t, pool.segment(), absolute, strides);
                refClient.sendFrameRef(id, at, format, W, H, planeOffsets, strides, t * FRAME_NS, t == 0);
                Answer a = refClient.readAnswer();
                assertTrue(a.isFrame(), format + " by reference, frame " + t + ": " + a);
                assertEquals(t * FRAME_NS, a.pts());
                byRef.writeBytes(a.accessUnit().toArray(ValueLayout.JAVA_BYTE));

                if (inBandToo) {
                    MemorySegment contiguous = arena.allocate(format.frameBytes(bandStride, H), 64);
                    long[] contiguousPlanes = {0, (long) bandStride * H};
                    write(video, format, t, contiguous, contiguousPlanes, new int[] {bandStride, bandStride});
                    bandClient.sendFrame(contiguous, contiguous.byteSize(), W, H, format, bandStride, t * FRAME_NS, t == 0);
                    Answer b = bandClient.readAnswer();
                    assertTrue(b.isFrame(), format + " in band, frame " + t + ": " + b);
                    byte[] refAu = Arrays.copyOfRange(byRef.toByteArray(), byRef.size() - (int) a.accessUnit().byteSize(), byRef.size());
                    byte[] bandAu = b.accessUnit().toArray(ValueLayout.JAVA_BYTE);
                    assertArrayEquals(bandAu, refAu, format + " frame " + t + ": by reference differs from in band");
                    inBand.writeBytes(bandAu);
                }
            }
            assertEquals(FRAMES, engine.counters().get(dev.framebridge.engine.CounterId.FRAMES_BY_REFERENCE).get());
        }
        if (format != PixelFormat.I420) {
            assertArrayEquals(inBand.toByteArray(), byRef.toByteArray(), "the two streams are identical");
        }

        Path file = dir.resolve(format + "-byref.h264");
        Files.write(file, byRef.toByteArray());
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(file);
        assertEquals(FRAMES, probed.size());
        assertEquals(352, probed.get(0).width());
        assertEquals(288, probed.get(0).height());
        byte[] decoded = Ffmpeg.decode(file, "yuv420p");
        double[] psnr = video.psnr(decoded, FRAMES);
        double y = psnr[0];
        double u = psnr[1];
        double v = psnr[2];
        System.out.printf(Locale.ROOT, "by reference %s %dx%d (memfd, padded planes apart) @8 Mbit/s: PSNR Y %.2f dB,"
                + " U %.2f dB, V %.2f dB; identical to in band: %s%n", format, W, H, y, u, v,
                format == PixelFormat.I420 ? "n/a (not on the wire in band)" : "yes");
        assertTrue(y >= 35 && u >= 35 && v >= 35, "PSNR Y/U/V " + y + "/" + u + "/" + v + " dB: below 35");
    }

    /**
     * Frame t of the video in {@code format}, plane p at {@code planes[p]} with rows {@code strides[p]} apart (NV12 in
     * band: both planes share one stride). RGB comes from the picture itself; YUV from its exact reference in the
     * encoded (even) area, with grey in the odd last column and row, which the encoder crops away.
     */
    private static void write(TestVideo video, PixelFormat format, int t, MemorySegment dst, long[] planes, int[] strides) {
        if (format.isRgb()) {
            byte[] row = new byte[W * 4];
            for (int yy = 0; yy < H; yy++) {
                for (int x = 0; x < W; x++) {
                    int p = video.rgb(x, yy, t);
                    boolean bgra = format == PixelFormat.BGRA8888;
                    row[4 * x] = (byte) (bgra ? p & 0xFF : p >> 16 & 0xFF);
                    row[4 * x + 1] = (byte) (p >> 8 & 0xFF);
                    row[4 * x + 2] = (byte) (bgra ? p >> 16 & 0xFF : p & 0xFF);
                    row[4 * x + 3] = (byte) 0xFF;
                }
                MemorySegment.copy(row, 0, dst, ValueLayout.JAVA_BYTE, planes[0] + (long) yy * strides[0], row.length);
            }
            return;
        }
        byte[] ref = video.referenceI420(t);
        int ew = video.encodedWidth;
        int eh = video.encodedHeight;
        int cw = ew / 2;
        int ch = eh / 2;
        byte[] yRow = new byte[W];
        for (int yy = 0; yy < H; yy++) {
            for (int x = 0; x < W; x++) {
                yRow[x] = x < ew && yy < eh ? ref[yy * ew + x] : (byte) 128;
            }
            MemorySegment.copy(yRow, 0, dst, ValueLayout.JAVA_BYTE, planes[0] + (long) yy * strides[0], W);
        }
        int chromaW = (W + 1) / 2;
        for (int yy = 0; yy < (H + 1) / 2; yy++) {
            for (int x = 0; x < chromaW; x++) {
                boolean inside = x < cw && yy < ch;
                byte cb = inside ? ref[ew * eh + yy * cw + x] : (byte) 128;
                byte cr = inside ? ref[ew * eh + cw * ch + yy * cw + x] : (byte) 128;
                if (format == PixelFormat.NV12) {
                    long at = planes[1] + (long) yy * strides[1] + 2L * x;
                    dst.set(ValueLayout.JAVA_BYTE, at, cb);
                    dst.set(ValueLayout.JAVA_BYTE, at + 1, cr);
                } else {
                    dst.set(ValueLayout.JAVA_BYTE, planes[1] + (long) yy * strides[1] + x, cb);
                    dst.set(ValueLayout.JAVA_BYTE, planes[2] + (long) yy * strides[2] + x, cr);
                }
            }
        }
    }
}
