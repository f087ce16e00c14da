package dev.framebridge.qemu;

/**
 * The pixman formats QEMU's D-Bus display names in Scanout/Update ({@code PIXMAN_FORMAT(bpp, type, a, r, g, b)} in
 * pixman.h). The two 32-bit ARGB ones are BGRA bytes in memory on a little-endian host, which is what the encoders
 * take; others are reported, not converted.
 */
public final class PixmanFormat {
    /** PIXMAN_x8r8g8b8: what QEMU's consoles use for 32-bit surfaces (VGA, virtio-gpu). */
    public static final int X8R8G8B8 = 0x20020888;
    /** PIXMAN_a8r8g8b8. */
    public static final int A8R8G8B8 = 0x20028888;

    private PixmanFormat() {
    }

    public static boolean isBgra32(int format) {
        return format == X8R8G8B8 || format == A8R8G8B8;
    }

    public static int bitsPerPixel(int format) {
        return format >>> 24;
    }

    public static String describe(int format) {
        return switch (format) {
            case X8R8G8B8 -> "x8r8g8b8";
            case A8R8G8B8 -> "a8r8g8b8";
            default -> "pixman format 0x" + Integer.toHexString(format) + " (" + bitsPerPixel(format) + " bpp)";
        };
    }
}
