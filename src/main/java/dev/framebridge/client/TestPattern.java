package dev.framebridge.client;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A moving synthetic picture for {@code demo} and {@code probe}: colour bars (asymmetric, so a red/blue swap shows)
 * over a vertical gradient, scrolling 4 pixels left per frame.
 *
 * <p>The picture is rendered once, {@link #PERIOD} pixels wider than the frame and periodic in x; each frame is a
 * window into it, copied row by row with bulk copies. So a 1080p frame costs a few memcpy's, not 2 million
 * per-pixel stores, and a guest thread can keep up with the encoder. Rows are tight ({@link #stride()}); NV12 and
 * I420 need even sizes.
 */
public final class TestPattern implements AutoCloseable {
    /** Horizontal period of the picture; the scroll wraps after this many pixels without a visible jump. */
    public static final int PERIOD = 256;
    private static final int STEP = 4;
    /** Bars: white, yellow, cyan, green, magenta, red, blue, black (0xRRGGBB). */
    private static final int[] BARS = {0xEBEBEB, 0xEBEB10, 0x10EBEB, 0x10EB10, 0xEB10EB, 0xEB1010, 0x1010EB, 0x101010};

    private final int width;
    private final int height;
    private final PixelFormat format;
    private final int stride;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment frame;
    private final MemorySegment base;
    private final int baseWidth;

    public TestPattern(int width, int height, PixelFormat format) {
        if (width < 2 || height < 2) {
            throw new IllegalArgumentException("test pattern size " + width + "x" + height + " is too small");
        }
        if (!format.isRgb() && ((width | height) & 1) != 0) {
            throw new IllegalArgumentException(format + " needs an even width and height, not " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.format = format;
        this.stride = width * format.bytesPerPixel();
        this.baseWidth = width + PERIOD;
        this.frame = arena.allocate(format.frameBytes(stride, height), 64);
        this.base = arena.allocate(format.frameBytes((long) baseWidth * format.bytesPerPixel(), height), 64);
        render();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public PixelFormat format() {
        return format;
    }

    /** Bytes per row of plane 0. */
    public int stride() {
        return stride;
    }

    /** Bytes of one frame. */
    public long frameBytes() {
        return frame.byteSize();
    }

    /** Frame {@code n} (valid until the next call). */
    public MemorySegment frame(int n) {
        int shift = (int) ((long) n * STEP % PERIOD); // even, so chroma stays aligned
        int bpp = format.bytesPerPixel();
        long baseStride = (long) baseWidth * bpp;
        for (int y = 0; y < height; y++) {
            MemorySegment.copy(base, y * baseStride + (long) shift * bpp, frame, (long) y * stride, stride);
        }
        if (format == PixelFormat.NV12) {
            long baseUv = baseStride * height;
            long uv = (long) stride * height;
            for (int y = 0; y < height / 2; y++) {
                MemorySegment.copy(base, baseUv + y * baseStride + shift, frame, uv + (long) y * stride, width);
            }
        } else if (format == PixelFormat.I420) {
            int cw = width / 2;
            int bcw = baseWidth / 2;
            long baseU = baseStride * height;
            long baseV = baseU + (long) bcw * (height / 2);
            long u = (long) stride * height;
            long v = u + (long) cw * (height / 2);
            for (int y = 0; y < height / 2; y++) {
                MemorySegment.copy(base, baseU + (long) y * bcw + shift / 2, frame, u + (long) y * cw, cw);
                MemorySegment.copy(base, baseV + (long) y * bcw + shift / 2, frame, v + (long) y * cw, cw);
            }
        }
        return frame;
    }

    /** 0xRRGGBB at (x, y): bars periodic in x, darker towards the bottom in the lower half. */
    private int rgb(int x, int y) {
        int c = BARS[(x % PERIOD) / (PERIOD / BARS.length)];
        if (y < height / 2) {
            return c;
        }
        int scale = 256 - (y - height / 2) * 200 / Math.max(1, height / 2);
        int r = (c >> 16 & 0xFF) * scale >> 8;
        int g = (c >> 8 & 0xFF) * scale >> 8;
        int b = (c & 0xFF) * scale >> 8;
        return r << 16 | g << 8 | b;
    }

    private void render() {
        int bpp = format.bytesPerPixel();
        long baseStride = (long) baseWidth * bpp;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < baseWidth; x++) {
                int p = rgb(x, y);
                int r = p >> 16 & 0xFF;
                int g = p >> 8 & 0xFF;
                int b = p & 0xFF;
                long at = y * baseStride + (long) x * bpp;
                switch (format) {
                    case BGRA8888 -> put(at, b, g, r);
                    case RGBA8888 -> put(at, r, g, b);
                    case NV12, I420 -> base.set(JAVA_BYTE, at, (byte) ((66 * r + 129 * g + 25 * b + 0x1080) >> 8));
                }
            }
        }
        if (format.isRgb()) {
            return;
        }
        int bcw = baseWidth / 2;
        long planeU = baseStride * height;
        long planeV = planeU + (long) bcw * (height / 2);
        for (int y = 0; y < height / 2; y++) {
            for (int x = 0; x < bcw; x++) {
                int p = rgb(2 * x, 2 * y);
                int r = p >> 16 & 0xFF;
                int g = p >> 8 & 0xFF;
                int b = p & 0xFF;
                byte cb = (byte) ((112 * b - 74 * g - 38 * r + 0x8080) >> 8);
                byte cr = (byte) ((112 * r - 94 * g - 18 * b + 0x8080) >> 8);
                if (format == PixelFormat.NV12) {
                    base.set(JAVA_BYTE, planeU + y * baseStride + 2L * x, cb);
                    base.set(JAVA_BYTE, planeU + y * baseStride + 2L * x + 1, cr);
                } else {
                    base.set(JAVA_BYTE, planeU + (long) y * bcw + x, cb);
                    base.set(JAVA_BYTE, planeV + (long) y * bcw + x, cr);
                }
            }
        }
    }

    private void put(long at, int first, int second, int third) {
        base.set(JAVA_BYTE, at, (byte) first);
        base.set(JAVA_BYTE, at + 1, (byte) second);
        base.set(JAVA_BYTE, at + 2, (byte) third);
        base.set(JAVA_BYTE, at + 3, (byte) 0xFF);
    }

    @Override
    public void close() {
        arena.close();
    }
}
