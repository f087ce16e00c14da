package dev.framebridge.encode;

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
    private final PixelFormat format;
    private final int width;       // the configured (possibly odd) size, for validating caller frames
    private final int height;
    private final int encodedWidth;
    private final int encodedHeight;
    private final MemorySegment picture;
    private final MemorySegment nv12;        // RGB formats only: the conversion target (see RgbToNv12)
    private final int planeStride;
    private final long chromaOffset;

    X264Input(EncoderConfig config, MemorySegment picture, Arena arena) {
        this.format = config.inputFormat();
        this.width = config.width();
        this.height = config.height();
        this.encodedWidth = X264Settings.encodedWidth(config);
        this.encodedHeight = X264Settings.encodedHeight(config);
        this.picture = picture;
        if (format.isRgb()) {
            planeStride = RgbToNv12.planeStride(width);
            chromaOffset = RgbToNv12.chromaOffset(width, height);
            nv12 = arena.allocate(RgbToNv12.bytes(width, height), RgbToNv12.ALIGN);
            picture.set(JAVA_INT, x264_picture_t.img$i_csp$OFFSET, X264.X264_CSP_NV12);
            picture.set(JAVA_INT, x264_picture_t.img$i_plane$OFFSET, 2);
            setNv12Planes(nv12.address());
        } else {
            planeStride = 0;
            chromaOffset = 0;
            nv12 = null;
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
            case BGRA8888, RGBA8888 -> {
                check(RgbToNv12.convertRows(format, base, stride, width, height, nv12.address(), 0, encodedHeight));
                setNv12Planes(nv12.address()); // bindConverted may have aimed them elsewhere
            }
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

    /**
     * Makes a frame whose planes lie where {@code planes} says the next input picture: NV12/I420 planes are handed to
     * x264 in place, each with its own stride; BGRA/RGBA is converted by libyuv from where it lies into this object's
     * NV12 planes. Allocation-free unless the planes do not fit the format.
     */
    void bindPlanes(FramePlanes planes) throws EncoderException {
        String problem = FrameCheck.planesProblem(format, width, planes);
        if (problem != null) {
            throw new EncoderException(problem);
        }
        int count = format.planes();
        switch (format) {
            case BGRA8888, RGBA8888 -> {
                check(RgbToNv12.convertRows(format, planes.address(0), planes.stride(0), width, height, nv12.address(),
                        0, encodedHeight));
                setNv12Planes(nv12.address());
            }
            case NV12 -> {
                setPlane(0, planes.address(0), planes.stride(0));
                setPlane(1, planes.address(1), planes.stride(1));
            }
            case I420 -> {
                setPlane(0, planes.address(0), planes.stride(0));
                setPlane(1, planes.address(1), planes.stride(1));
                setPlane(2, planes.address(2), planes.stride(2));
            }
        }
    }

    /**
     * Makes an RGB frame the caller already converted with {@link RgbToNv12} (same size) the next input picture:
     * x264 reads the NV12 image where it lies.
     */
    void bindConverted(MemorySegment image) throws EncoderException {
        String problem = FrameCheck.convertedProblem(format, width, height, image);
        if (problem != null) {
            throw new EncoderException(problem);
        }
        setNv12Planes(image.address());
    }

    private void setNv12Planes(long address) {
        setPlane(0, address, planeStride);
        setPlane(1, address + chromaOffset, planeStride);
    }

    private void setPlane(int index, long address, int stride) {
        picture.set(JAVA_INT, x264_picture_t.img$i_stride$OFFSET + 4L * index, stride);
        picture.set(JAVA_LONG, x264_picture_t.img$plane$OFFSET + 8L * index, address);
    }

    private void validate(MemorySegment pixels, int stride) throws EncoderException {
        String problem = FrameCheck.problem(format, width, height, pixels, stride);
        if (problem != null) {
            throw new EncoderException(problem);
        }
    }

    private void check(int libyuvResult) throws EncoderException {
        if (libyuvResult != 0) {
            throw new EncoderException("libyuv " + format + "→NV12 conversion failed (" + libyuvResult
                    + ") for " + encodedWidth + "x" + encodedHeight + "; invalid arguments");
        }
    }
}
