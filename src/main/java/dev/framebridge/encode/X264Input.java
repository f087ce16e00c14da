package dev.framebridge.encode;

import dev.framebridge.ffi.LibYuv;
import dev.framebridge.ffi.X264;
import dev.framebridge.ffi.X264.x264_picture_t;
import dev.framebridge.frame.PixelFormat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Puts the caller's frame into x264's input picture with at most one pass over the pixels:
 * <ul>
 *   <li>BGRA8888 / RGBA8888: libyuv converts straight into NV12 planes this object allocated once (NV12 because it
 *       is x264's internal layout, so x264's own copy into its frame is a plain copy, not an interleave);</li>
 *   <li>NV12 / I420: the picture's plane pointers are aimed at the caller's memory (UV at stride × height; U at
 *       stride × height and V after it, stride/2) and x264 reads it in place.</li>
 * </ul>
 * Odd sizes are cropped (see {@link X264Settings}): only the even width × height is read.
 */
final class X264Input {
    /** libyuv and x264's SIMD both like 64-byte rows. */
    private static final int ALIGN = 64;

    private final PixelFormat format;
    private final int width;       // the configured (possibly odd) size, for validating caller frames
    private final int height;
    private final int encodedWidth;
    private final int encodedHeight;
    private final MemorySegment picture;
    private final MemorySegment lumaPlane;   // RGB formats only: the conversion target
    private final MemorySegment chromaPlane;
    private final int planeStride;

    X264Input(EncoderConfig config, MemorySegment picture, Arena arena) {
        this.format = config.inputFormat();
        this.width = config.width();
        this.height = config.height();
        this.encodedWidth = X264Settings.encodedWidth(config);
        this.encodedHeight = X264Settings.encodedHeight(config);
        this.picture = picture;
        if (format.isRgb()) {
            planeStride = (encodedWidth + ALIGN - 1) & -ALIGN;
            lumaPlane = arena.allocate((long) planeStride * encodedHeight, ALIGN);
            chromaPlane = arena.allocate((long) planeStride * (encodedHeight / 2), ALIGN);
            picture.set(JAVA_INT, x264_picture_t.img$i_csp$OFFSET, X264.X264_CSP_NV12);
            picture.set(JAVA_INT, x264_picture_t.img$i_plane$OFFSET, 2);
            setPlane(0, lumaPlane.address(), planeStride);
            setPlane(1, chromaPlane.address(), planeStride);
        } else {
            planeStride = 0;
            lumaPlane = null;
            chromaPlane = null;
            picture.set(JAVA_INT, x264_picture_t.img$i_csp$OFFSET, csp(format));
            picture.set(JAVA_INT, x264_picture_t.img$i_plane$OFFSET, format == PixelFormat.NV12 ? 2 : 3);
        }
    }

    /** The x264 colour space the encoder is opened with for this input. */
    static int csp(PixelFormat format) {
        return format == PixelFormat.I420 ? X264.X264_CSP_I420 : X264.X264_CSP_NV12;
    }

    /** Makes {@code pixels} the next input picture; allocation-free unless the frame is rejected. */
    void bind(MemorySegment pixels, int stride) throws EncoderException {
        validate(pixels, stride);
        long base = pixels.address();
        switch (format) {
            case BGRA8888 -> check(LibYuv.ARGBToNV12(pixels, stride, lumaPlane, planeStride, chromaPlane, planeStride,
                    encodedWidth, encodedHeight));
            case RGBA8888 -> check(LibYuv.ABGRToNV12(pixels, stride, lumaPlane, planeStride, chromaPlane, planeStride,
                    encodedWidth, encodedHeight));
            case NV12 -> {
                setPlane(0, base, stride);
                setPlane(1, base + (long) stride * height, stride);
            }
            case I420 -> {
                int chromaStride = (stride + 1) / 2;
                long uOffset = (long) stride * height;
                setPlane(0, base, stride);
                setPlane(1, base + uOffset, chromaStride);
                setPlane(2, base + uOffset + (long) chromaStride * ((height + 1) / 2), chromaStride);
            }
        }
    }

    private void setPlane(int index, long address, int stride) {
        picture.set(JAVA_INT, x264_picture_t.img$i_stride$OFFSET + 4L * index, stride);
        picture.set(JAVA_LONG, x264_picture_t.img$plane$OFFSET + 8L * index, address);
    }

    private void validate(MemorySegment pixels, int stride) throws EncoderException {
        if (stride < width * format.bytesPerPixel()
                || !pixels.isNative()
                || pixels.byteSize() < format.frameBytes(stride, height)) {
            throw new EncoderException(describeRejection(pixels, stride));
        }
    }

    private String describeRejection(MemorySegment pixels, int stride) {
        if (stride < width * format.bytesPerPixel()) {
            return "stride " + stride + " is less than one " + format + " row of " + width + " pixels ("
                    + width * format.bytesPerPixel() + " bytes); pass the frame's real row pitch";
        }
        if (!pixels.isNative()) {
            return "frame memory is on the Java heap; x264 reads native memory only — allocate frames off-heap";
        }
        return "frame is " + pixels.byteSize() + " bytes but " + format + " " + width + "x" + height + " at stride "
                + stride + " needs " + format.frameBytes(stride, height) + "; the frame or its size/format is wrong";
    }

    private void check(int libyuvResult) throws EncoderException {
        if (libyuvResult != 0) {
            throw new EncoderException("libyuv " + format + "→NV12 conversion failed (" + libyuvResult
                    + ") for " + encodedWidth + "x" + encodedHeight + "; invalid arguments");
        }
    }
}
