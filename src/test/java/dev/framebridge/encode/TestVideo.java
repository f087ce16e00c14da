package dev.framebridge.encode;

import dev.framebridge.frame.PixelFormat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A synthetic moving picture and its exact YUV reference. The content is chosen to catch mistakes: a slowly
 * moving two-axis gradient (motion), big patches of strongly asymmetric colour (a red/blue swap changes luma and
 * both chroma planes), and a band of 1–2 pixel "glyph" strokes (sharp text-like edges, the desktop case).
 *
 * <p>The reference is BT.601 limited range with libyuv's own integer formulas, so for BGRA/RGBA input it is what
 * libyuv should produce, and for NV12/I420 input it is the input itself.
 */
final class TestVideo {
    final int width;
    final int height;
    /** The size x264 encodes: odd sizes are cropped to even. */
    final int encodedWidth;
    final int encodedHeight;

    TestVideo(int width, int height) {
        this.width = width;
        this.height = height;
        this.encodedWidth = width & ~1;
        this.encodedHeight = height & ~1;
    }

    /** Rows padded past the minimum, so a binding that assumes tight rows reads the wrong pixels. */
    static int paddedStride(PixelFormat format, int width) {
        return format.isRgb() ? width * 4 + 52 : ((width + 37) & ~1);
    }

    private static int tri(int v) {
        int m = Math.floorMod(v, 512);
        return m < 256 ? m : 511 - m;
    }

    /** 0xRRGGBB of the pixel at (x, y) in frame t. */
    int rgb(int x, int y, int t) {
        int r = tri(x * 2 + 5 * t);
        int g = tri(y * 3 + 3 * t);
        int b = 40 + tri(x + y) / 4;
        if (y < height / 3) {
            if (x < width / 3) {          // red-ish patch
                r = 220;
                g = 40;
                b = 30;
            } else if (x > 2 * width / 3) { // blue-ish patch
                r = 20;
                g = 60;
                b = 210;
            }
        }
        int bandTop = height * 3 / 5;
        if (y >= bandTop && y < bandTop + 24 && x >= 8 && x < width - 8) {
            // 8x12 glyph cells, strokes on a 2x2 grid from a fixed hash; scrolls one cell every 4 frames
            int cell = (x / 8 + t / 4) * 31 + (y - bandTop) / 12 * 17;
            int bit = ((x % 8) / 2) + 4 * (((y - bandTop) % 12) / 2);
            boolean ink = ((cell * 0x9E3779B1) >>> bit & 1) != 0;
            r = g = b = ink ? 16 : 235;
        }
        return r << 16 | g << 8 | b;
    }

    static int lumaOf(int r, int g, int b) {
        return (66 * r + 129 * g + 25 * b + 0x1080) >> 8;
    }

    static int cbOf(int r, int g, int b) {
        return (112 * b - 74 * g - 38 * r + 0x8080) >> 8;
    }

    static int crOf(int r, int g, int b) {
        return (112 * r - 94 * g - 18 * b + 0x8080) >> 8;
    }

    /** The encoded area of frame t as tightly packed I420 (Y, then U, then V). */
    byte[] referenceI420(int t) {
        int w = encodedWidth;
        int h = encodedHeight;
        byte[] out = new byte[w * h * 3 / 2];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = rgb(x, y, t);
                out[y * w + x] = (byte) lumaOf(p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF);
            }
        }
        int cw = w / 2;
        int ch = h / 2;
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int r = 0;
                int g = 0;
                int b = 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        int p = rgb(2 * x + dx, 2 * y + dy, t);
                        r += p >> 16 & 0xFF;
                        g += p >> 8 & 0xFF;
                        b += p & 0xFF;
                    }
                }
                r = (r + 2) >> 2;
                g = (g + 2) >> 2;
                b = (b + 2) >> 2;
                out[w * h + y * cw + x] = (byte) cbOf(r, g, b);
                out[w * h + cw * ch + y * cw + x] = (byte) crOf(r, g, b);
            }
        }
        return out;
    }

    /** Frame t in {@code format} with rows {@code stride} apart; padding bytes hold junk (0xA5). */
    MemorySegment frame(Arena arena, PixelFormat format, int stride, int t) {
        MemorySegment f = arena.allocate(format.frameBytes(stride, height), 64);
        f.fill((byte) 0xA5);
        if (format.isRgb()) {
            byte[] row = new byte[width * 4];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int p = rgb(x, y, t);
                    int r = p >> 16 & 0xFF;
                    int g = p >> 8 & 0xFF;
                    int b = p & 0xFF;
                    boolean bgra = format == PixelFormat.BGRA8888;
                    row[4 * x] = (byte) (bgra ? b : r);
                    row[4 * x + 1] = (byte) g;
                    row[4 * x + 2] = (byte) (bgra ? r : b);
                    row[4 * x + 3] = (byte) 0xFF;
                }
                MemorySegment.copy(row, 0, f, JAVA_BYTE, (long) y * stride, row.length);
            }
            return f;
        }
        if (width != encodedWidth || height != encodedHeight) {
            throw new IllegalArgumentException("YUV test frames are made for even sizes only");
        }
        byte[] ref = referenceI420(t);
        int w = width;
        int h = height;
        int cw = w / 2;
        int ch = h / 2;
        for (int y = 0; y < h; y++) {
            MemorySegment.copy(ref, y * w, f, JAVA_BYTE, (long) y * stride, w);
        }
        if (format == PixelFormat.NV12) {
            long uvBase = (long) stride * h;
            for (int y = 0; y < ch; y++) {
                for (int x = 0; x < cw; x++) {
                    f.set(JAVA_BYTE, uvBase + (long) y * stride + 2L * x, ref[w * h + y * cw + x]);
                    f.set(JAVA_BYTE, uvBase + (long) y * stride + 2L * x + 1, ref[w * h + cw * ch + y * cw + x]);
                }
            }
        } else {
            int cstride = (stride + 1) / 2;
            long uBase = (long) stride * h;
            long vBase = uBase + (long) cstride * ((h + 1) / 2);
            for (int y = 0; y < ch; y++) {
                MemorySegment.copy(ref, w * h + y * cw, f, JAVA_BYTE, uBase + (long) y * cstride, cw);
                MemorySegment.copy(ref, w * h + cw * ch + y * cw, f, JAVA_BYTE, vBase + (long) y * cstride, cw);
            }
        }
        return f;
    }

    /**
     * {mean Y, mean U, mean V, worst-frame Y} PSNR in dB of {@code frames} decoded, tightly packed I420 frames
     * (a yuv420p stream) against this video's exact reference.
     */
    double[] psnr(byte[] decoded, int frames) {
        int w = encodedWidth;
        int h = encodedHeight;
        int frameBytes = w * h * 3 / 2;
        org.junit.jupiter.api.Assertions.assertEquals((long) frameBytes * frames, decoded.length,
                "decoded size: frame count or dimensions are wrong");
        double y = 0;
        double u = 0;
        double v = 0;
        double worst = Double.MAX_VALUE;
        for (int t = 0; t < frames; t++) {
            byte[] ref = referenceI420(t);
            byte[] dec = java.util.Arrays.copyOfRange(decoded, t * frameBytes, (t + 1) * frameBytes);
            double py = psnr(ref, dec, 0, w * h);
            y += py;
            worst = Math.min(worst, py);
            u += psnr(ref, dec, w * h, w * h / 4);
            v += psnr(ref, dec, w * h * 5 / 4, w * h / 4);
        }
        return new double[] {y / frames, u / frames, v / frames, worst};
    }

    /** PSNR in dB of one plane; {@code offset}/{@code length} select it in both tightly packed I420 buffers. */
    static double psnr(byte[] expected, byte[] actual, int offset, int length) {
        double sse = 0;
        for (int i = offset; i < offset + length; i++) {
            int d = (expected[i] & 0xFF) - (actual[i] & 0xFF);
            sse += d * d;
        }
        if (sse == 0) {
            return 99;
        }
        return 10 * Math.log10(255.0 * 255.0 * length / sse);
    }
}
