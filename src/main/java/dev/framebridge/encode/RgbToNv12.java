package dev.framebridge.encode;

import dev.framebridge.ffi.LibYuv;
import dev.framebridge.frame.PixelFormat;

/**
 * BGRA/RGBA → NV12 with libyuv (BT.601 limited range, what {@link X264Settings} writes in the VUI), for a whole
 * frame or for a band of rows. 4:2:0 chroma pairs rows, so a band that starts on an even row converts exactly what
 * the whole-frame call produces for those rows: a frame can be converted while it arrives, each band while it is
 * still in cache, and the result is byte for byte the same.
 *
 * <p>The NV12 image: the Y plane, {@link #planeStride} bytes per row × the even height, then the interleaved UV
 * plane, same stride, half the rows. Odd sizes are cropped to the even size below (as the encoder does).
 */
public final class RgbToNv12 {
    /** libyuv and x264's SIMD both like 64-byte rows. */
    static final int ALIGN = 64;

    private RgbToNv12() {
    }

    /** Whether frames of {@code format} are converted by this class. */
    public static boolean converts(PixelFormat format) {
        return format == PixelFormat.BGRA8888 || format == PixelFormat.RGBA8888;
    }

    /** Bytes per row of both NV12 planes for a frame {@code width} pixels wide. */
    public static int planeStride(int width) {
        return ((width & ~1) + ALIGN - 1) & -ALIGN;
    }

    /** Offset of the UV plane from the start of the NV12 image. */
    public static long chromaOffset(int width, int height) {
        return (long) planeStride(width) * (height & ~1);
    }

    /** Bytes of the whole NV12 image. */
    public static long bytes(int width, int height) {
        return chromaOffset(width, height) * 3 / 2;
    }

    /**
     * How many leading rows of a frame can be converted once {@code rowsArrived} rows are complete: whole row
     * pairs only, never past the even height.
     */
    public static int convertibleRows(int rowsArrived, int height) {
        return Math.min(rowsArrived, height) & ~1;
    }

    /**
     * Converts rows [{@code fromRow}, {@code toRow}) of the frame at {@code src} into the NV12 image at {@code nv12}.
     * Both bounds must be even (use {@link #convertibleRows}); addresses are native memory the caller keeps alive.
     *
     * @return libyuv's result: 0, or -1 for invalid arguments
     */
    public static int convertRows(PixelFormat format, long src, int srcStride, int width, int height, long nv12,
                                  int fromRow, int toRow) {
        int rows = toRow - fromRow;
        if (rows <= 0) {
            return 0;
        }
        int stride = planeStride(width);
        long from = src + (long) fromRow * srcStride;
        long y = nv12 + (long) fromRow * stride;
        long uv = nv12 + chromaOffset(width, height) + (long) (fromRow / 2) * stride;
        int w = width & ~1;
        return format == PixelFormat.RGBA8888
                ? LibYuv.ABGRToNV12(from, srcStride, y, stride, uv, stride, w, rows)
                : LibYuv.ARGBToNV12(from, srcStride, y, stride, uv, stride, w, rows);
    }
}
