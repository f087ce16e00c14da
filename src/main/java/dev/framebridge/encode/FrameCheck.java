package dev.framebridge.encode;

import dev.framebridge.frame.PixelFormat;

import java.lang.foreign.MemorySegment;

/**
 * The checks every encoder makes of a caller's frame before reading it, with the sentence that says what is wrong.
 * Allocation-free when the frame is good.
 */
public final class FrameCheck {
    private FrameCheck() {
    }

    /** Null when {@code pixels} holds a {@code width}×{@code height} frame of {@code format} at {@code stride}. */
    public static String problem(PixelFormat format, int width, int height, MemorySegment pixels, int stride) {
        if (stride >= width * format.bytesPerPixel() && pixels.isNative()
                && pixels.byteSize() >= format.frameBytes(stride, height)) {
            return null;
        }
        if (stride < width * format.bytesPerPixel()) {
            return "stride " + stride + " is less than one " + format + " row of " + width + " pixels ("
                    + width * format.bytesPerPixel() + " bytes); pass the frame's real row pitch";
        }
        if (!pixels.isNative()) {
            return "frame memory is on the Java heap; the encoder reads native memory only — allocate frames off-heap";
        }
        return "frame is " + pixels.byteSize() + " bytes but " + format + " " + width + "x" + height + " at stride "
                + stride + " needs " + format.frameBytes(stride, height) + "; the frame or its size/format is wrong";
    }

    /** Null when {@code planes} holds every plane of a {@code width}-pixel-wide {@code format} frame, each row whole. */
    public static String planesProblem(PixelFormat format, int width, FramePlanes planes) {
        int count = format.planes();
        if (planes.count() < count) {
            return format + " needs " + count + " planes, the frame has " + planes.count();
        }
        for (int p = 0; p < count; p++) {
            if (planes.address(p) == 0 || planes.stride(p) < format.planeRowBytes(p, width)) {
                return "plane " + p + " of the " + format + " frame is at " + planes.address(p) + " with stride "
                        + planes.stride(p) + "; a row needs " + format.planeRowBytes(p, width) + " bytes";
            }
        }
        return null;
    }

    /**
     * Null when {@code image} can be an RGB frame of {@code width}×{@code height} already converted by
     * {@link RgbToNv12} for an encoder opened for {@code format}.
     */
    public static String convertedProblem(PixelFormat format, int width, int height, MemorySegment image) {
        if (!format.isRgb()) {
            return "a converted frame was given to an encoder opened for " + format
                    + " input; converted frames are for encoders opened for BGRA or RGBA";
        }
        long needed = RgbToNv12.bytes(width, height);
        if (!image.isNative() || image.byteSize() < needed) {
            return "converted frame is " + image.byteSize() + " bytes" + (image.isNative() ? "" : " on the Java heap")
                    + "; NV12 of " + width + "x" + height + " needs " + needed
                    + " bytes of native memory (RgbToNv12.bytes)";
        }
        return null;
    }
}
