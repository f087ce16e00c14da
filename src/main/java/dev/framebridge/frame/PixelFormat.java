package dev.framebridge.frame;

/**
 * Pixel formats framebridge accepts, with the DRM fourcc the wire protocol uses.
 * libyuv's naming is the reverse of memory order: libyuv "ARGB" is BGRA in memory (DRM ARGB8888).
 */
public enum PixelFormat {
    /** DRM ARGB8888 ('AR24'): bytes B, G, R, A. vsockenc also sends BGRx as this. */
    BGRA8888(0x34325241, 4),
    /** DRM ABGR8888 ('AB24'): bytes R, G, B, A (and RGBx). */
    RGBA8888(0x34324241, 4),
    /** 'NV12': Y plane (stride × height), then interleaved UV (stride × height/2). */
    NV12(0x3231564E, 1),
    /**
     * 'YU12' (I420): Y plane, then U and V planes at half resolution, stride/2 each. Not in FRAME_REQUEST; frames by
     * reference (FRAME_REF) may use it, each plane where the request says.
     */
    I420(0x32315559, 1);

    private static final PixelFormat[] VALUES = values();

    private final int fourcc;
    private final int bytesPerPixel;

    PixelFormat(int fourcc, int bytesPerPixel) {
        this.fourcc = fourcc;
        this.bytesPerPixel = bytesPerPixel;
    }

    public int fourcc() {
        return fourcc;
    }

    /** Bytes per pixel of plane 0 (the minimum stride is width × this). */
    public int bytesPerPixel() {
        return bytesPerPixel;
    }

    public boolean isRgb() {
        return bytesPerPixel == 4;
    }

    /** Planes of a frame: 1 for BGRA/RGBA, 2 for NV12 (Y, UV), 3 for I420 (Y, U, V). */
    public int planes() {
        return switch (this) {
            case BGRA8888, RGBA8888 -> 1;
            case NV12 -> 2;
            case I420 -> 3;
        };
    }

    /** Bytes one row of {@code plane} holds for a frame {@code width} pixels wide (chroma rounds up). */
    public long planeRowBytes(int plane, long width) {
        if (plane == 0) {
            return width * bytesPerPixel;
        }
        long chroma = (width + 1) / 2;
        return this == NV12 ? 2 * chroma : chroma;
    }

    /** Rows of {@code plane} for a frame {@code height} rows high (4:2:0 chroma rounds up). */
    public long planeRows(int plane, long height) {
        return plane == 0 ? height : (height + 1) / 2;
    }

    /** Minimum bytes a frame of this format occupies with rows {@code stride} apart in plane 0. */
    public long frameBytes(long stride, long height) {
        return switch (this) {
            case BGRA8888, RGBA8888 -> stride * height;
            case NV12 -> stride * height + stride * ((height + 1) / 2);
            case I420 -> stride * height + 2 * ((stride + 1) / 2) * ((height + 1) / 2);
        };
    }

    /** The format with this fourcc, or null; allocation-free for the hot path. */
    public static PixelFormat ofFourcc(int fourcc) {
        for (PixelFormat f : VALUES) {
            if (f.fourcc == fourcc) {
                return f;
            }
        }
        return null;
    }

    /** Four printable characters of a fourcc, or hex when not printable (for error messages). */
    public static String fourccName(int fourcc) {
        StringBuilder sb = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = (fourcc >>> (8 * i)) & 0xFF;
            if (c < 0x20 || c > 0x7E) {
                return String.format("0x%08X", fourcc);
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
