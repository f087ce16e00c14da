package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.DmaBufFrame;
import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.EncoderBrokenException;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.FrameCheck;
import dev.framebridge.encode.FramePlanes;
import dev.framebridge.encode.RgbToNv12;
import dev.framebridge.encode.vaapi.VaDevice;
import dev.framebridge.encode.vaapi.VaDmaBufImport;
import dev.framebridge.ffi.LibAvcodec;
import dev.framebridge.ffi.LibAvcodec.AVCodecContext;
import dev.framebridge.ffi.LibAvcodec.AVPacket;
import dev.framebridge.ffi.LibAvutil;
import dev.framebridge.ffi.LibAvutil.AVFrame;
import dev.framebridge.ffi.LibAvutil.AVRational;
import dev.framebridge.ffi.LibVa;
import dev.framebridge.ffi.LibYuv;
import dev.framebridge.frame.PixelFormat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;

import static dev.framebridge.ffi.LibAvutil.NATIVE;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One open libavcodec encoder and everything around it, allocated at open and freed at close: the codec context
 * (configured through AVOptions, see {@link AvcodecRecipe}), the hardware device and frames context for a GPU
 * encoder, the frames and the packet. Its size, format and settings are fixed.
 *
 * <p>Where a frame goes:
 * <ul>
 *   <li>GPU encoders: the caller's NV12 (or the NV12 libyuv made from BGRA/RGBA, or the caller's converted image)
 *       is described by a frame that points at it, and {@code av_hwframe_transfer_data} uploads it into a surface
 *       from the pool — the one copy, into GPU memory;</li>
 *   <li>software encoders (libx264 here): libavcodec needs a reference-counted frame, so the picture is written into
 *       one frame of its own allocated at open — libyuv converts RGB straight into it; YUV is copied in.</li>
 * </ul>
 * Each frame in gives its access unit back from the same call (one frame in flight); a frame the encoder holds
 * back, or an error from it, is an {@link EncoderBrokenException}. Odd sizes are cropped to even, as x264's.
 *
 * <p>The hot path makes no Java objects: pointers are {@code long}s, struct members are read through
 * {@link LibAvutil#NATIVE}, and the output stays in the packet's own buffer until the next call.
 */
final class AvcodecSession implements AutoCloseable {
    private final AvcodecCodec codec;
    private final EncoderConfig config;
    private final PixelFormat format;
    private final int width;
    private final int height;
    private final int encodedWidth;
    private final int encodedHeight;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment contextSlot = arena.allocate(JAVA_LONG);
    private final MemorySegment packetSlot = arena.allocate(JAVA_LONG);
    private final MemorySegment inputSlot = arena.allocate(JAVA_LONG);
    private final MemorySegment uploadSlot = arena.allocate(JAVA_LONG);
    private final long context;
    private final long packet;
    /** Software: the reference-counted frame sent to the encoder. Hardware: the frame describing the source planes. */
    private final long input;
    /** Hardware only: the surface frame from the pool that is sent; 0 for software encoders. */
    private final long upload;
    private final AvcodecHardware hardware;
    /** Hardware with RGB input: where libyuv writes the NV12 picture before the upload. */
    private final MemorySegment converted;
    /** The planes of a frame given whole ({@link #encode}), located once per frame. */
    private final FramePlanes packed = new FramePlanes();
    /** h264_vaapi: imports DMA-BUFs as surfaces, made at the first one; the buffer their frames carry. */
    private VaDmaBufImport importer;
    private final MemorySegment surfaceBuffer = arena.allocate(JAVA_LONG);
    /** An imported surface the encoder still held after its access unit (-1: none): destroyed later. */
    private long heldSurface = -1;
    private String importRefusal;
    private long frameNumber;
    private boolean closed;

    private AvcodecSession(AvcodecCodec codec, EncoderConfig config, long context, long packet, long input, long upload,
                           AvcodecHardware hardware) {
        this.codec = codec;
        this.config = config;
        this.format = config.inputFormat();
        this.width = config.width();
        this.height = config.height();
        this.encodedWidth = config.width() & ~1;
        this.encodedHeight = config.height() & ~1;
        this.context = context;
        this.packet = packet;
        this.input = input;
        this.upload = upload;
        this.hardware = hardware;
        this.converted = hardware != null && format.isRgb()
                ? arena.allocate(RgbToNv12.bytes(width, height), 64) : null;
        contextSlot.set(JAVA_LONG, 0, context);
        packetSlot.set(JAVA_LONG, 0, packet);
        inputSlot.set(JAVA_LONG, 0, input);
        uploadSlot.set(JAVA_LONG, 0, upload);
    }

    /**
     * Opens {@code codec} for {@code config}.
     *
     * @param node  the render node of a VAAPI/QSV device (null otherwise)
     * @param hints what the device probe learnt (low-power entrypoint, CBR support)
     */
    static AvcodecSession open(AvcodecCodec codec, EncoderConfig config, Path node, AvcodecRecipe.DeviceHints hints)
            throws EncoderException {
        int w = config.width() & ~1;
        int h = config.height() & ~1;
        if (w < 2 || h < 2) {
            throw new EncoderException(codec.encoderName() + " cannot encode " + config.width() + "x" + config.height()
                    + ": 4:2:0 needs at least 2x2 pixels");
        }
        if (codec.isHardware() && config.inputFormat() == PixelFormat.I420) {
            throw new EncoderException(codec.encoderName() + " takes NV12, BGRA or RGBA frames (the HXFR wire's"
                    + " formats); I420 goes to a software encoder");
        }
        int softwareFormat = config.inputFormat() == PixelFormat.I420 ? LibAvutil.AV_PIX_FMT_YUV420P
                : LibAvutil.AV_PIX_FMT_NV12;
        AvLog.install();
        long context = 0;
        long packet = 0;
        long input = 0;
        long upload = 0;
        AvcodecHardware hardware = null;
        boolean ok = false;
        try (Arena scratch = Arena.ofConfined(); AvLog.Capture log = AvLog.capture()) {
            long avCodec = LibAvcodec.avcodec_find_encoder_by_name(scratch.allocateFrom(codec.encoderName()));
            if (avCodec == 0) {
                throw new EncoderException("this libavcodec (" + LibAvcodec.SONAME + ") has no " + codec.encoderName()
                        + " encoder: its build left it out");
            }
            context = LibAvcodec.avcodec_alloc_context3(avCodec);
            if (context == 0) {
                throw new EncoderException("avcodec_alloc_context3(" + codec.encoderName() + ") failed: out of memory");
            }
            setOption(codec, context, "video_size", w + "x" + h, true, scratch);
            setOption(codec, context, "time_base", config.fpsDen() + "/" + config.fpsNum(), true, scratch);
            NATIVE.set(JAVA_INT, context + AVCodecContext.framerate$OFFSET + AVRational.num$OFFSET, config.fpsNum());
            NATIVE.set(JAVA_INT, context + AVCodecContext.framerate$OFFSET + AVRational.den$OFFSET, config.fpsDen());
            int contextFormat = codec.isHardware() ? codec.hardwareFormat() : softwareFormat;
            setOption(codec, context, "pixel_format", LibAvutil.av_get_pix_fmt_name(contextFormat), true, scratch);
            for (AvcodecRecipe.Option o : AvcodecRecipe.options(codec, config, hints)) {
                setOption(codec, context, o.name(), o.value(), o.required(), scratch);
            }
            if (codec.isHardware()) {
                hardware = AvcodecHardware.open(codec, node, w, h, log);
                NATIVE.set(JAVA_LONG, context + AVCodecContext.hw_frames_ctx$OFFSET,
                        LibAvutil.av_buffer_ref(hardware.frames()));
            }
            int rc = LibAvcodec.avcodec_open2(context, avCodec, MemorySegment.NULL);
            if (rc < 0) {
                throw new EncoderException("avcodec_open2(" + codec.encoderName() + ", " + w + "x" + h + " "
                        + config.inputFormat() + " at " + config.fpsNum() + "/" + config.fpsDen() + " fps, "
                        + config.bitrate() + " bit/s, profile " + config.profile() + ") failed: "
                        + LibAvutil.av_strerror(rc) + " (" + rc + ")" + log.suffix());
            }
            packet = LibAvcodec.av_packet_alloc();
            input = LibAvutil.av_frame_alloc();
            if (packet == 0 || input == 0) {
                throw new EncoderException("av_packet_alloc/av_frame_alloc failed: out of memory");
            }
            NATIVE.set(JAVA_INT, input + AVFrame.format$OFFSET, softwareFormat);
            NATIVE.set(JAVA_INT, input + AVFrame.width$OFFSET, w);
            NATIVE.set(JAVA_INT, input + AVFrame.height$OFFSET, h);
            if (codec.isHardware()) {
                upload = LibAvutil.av_frame_alloc();
                if (upload == 0) {
                    throw new EncoderException("av_frame_alloc failed: out of memory");
                }
            } else {
                rc = LibAvutil.av_frame_get_buffer(input, 64);
                if (rc < 0) {
                    throw new EncoderException("av_frame_get_buffer(" + w + "x" + h + ") failed: "
                            + LibAvutil.av_strerror(rc));
                }
            }
            AvcodecSession session = new AvcodecSession(codec, config, context, packet, input, upload, hardware);
            ok = true;
            return session;
        } finally {
            if (!ok) {
                freeAll(context, packet, input, upload, hardware);
            }
        }
    }

    private static void setOption(AvcodecCodec codec, long context, String name, String value, boolean required,
                                  Arena scratch) throws EncoderException {
        int rc = LibAvutil.av_opt_set(context, scratch.allocateFrom(name), scratch.allocateFrom(value),
                LibAvutil.AV_OPT_SEARCH_CHILDREN);
        if (rc < 0 && required) {
            throw new EncoderException("libavcodec's " + codec.encoderName() + " rejected option " + name + "=" + value
                    + ": " + LibAvutil.av_strerror(rc) + (rc == LibAvutil.AVERROR_OPTION_NOT_FOUND
                    ? " (this libavcodec build does not have that option)" : ""));
        }
    }

    private static void freeAll(long context, long packet, long input, long upload, AvcodecHardware hardware) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment slot = scratch.allocate(JAVA_LONG);
            if (context != 0) {
                slot.set(JAVA_LONG, 0, context);
                LibAvcodec.avcodec_free_context(slot);
            }
            if (packet != 0) {
                slot.set(JAVA_LONG, 0, packet);
                LibAvcodec.av_packet_free(slot);
            }
            for (long frame : new long[] {input, upload}) {
                if (frame != 0) {
                    slot.set(JAVA_LONG, 0, frame);
                    LibAvutil.av_frame_free(slot);
                }
            }
        }
        if (hardware != null) {
            hardware.close();
        }
    }

    EncoderConfig config() {
        return config;
    }

    AvcodecCodec codec() {
        return codec;
    }

    AvcodecHardware hardware() {
        return hardware;
    }

    /** The hot path for a frame as the caller has it: its planes located from the stride, then as {@link #encodePlanes}. */
    void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        requireOpen();
        String problem = FrameCheck.problem(format, width, height, pixels, stride);
        if (problem != null) {
            throw new EncoderException(problem);
        }
        long base = pixels.address();
        packed.clear().plane(0, base, stride);
        switch (format) {
            case NV12 -> packed.plane(1, base + (long) stride * height, stride);
            case I420 -> {
                int chromaStride = (stride + 1) / 2;
                long u = base + (long) stride * height;
                packed.plane(1, u, chromaStride).plane(2, u + (long) chromaStride * ((height + 1) / 2), chromaStride);
            }
            default -> { }
        }
        encodeLocated(packed, pts, forceIdr, out);
    }

    /**
     * A frame whose planes the caller located and bounds-checked (frames by reference, or {@link #encode}): a GPU
     * encoder uploads NV12 from where it lies (RGB is converted into this session's NV12 image first); a software
     * encoder gets it copied (or converted) into its own reference-counted frame.
     */
    void encodePlanes(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        requireOpen();
        String problem = FrameCheck.planesProblem(format, width, planes);
        if (problem != null) {
            throw new EncoderException(problem);
        }
        encodeLocated(planes, pts, forceIdr, out);
    }

    /**
     * Planes already checked: by {@link FrameCheck#planesProblem}, or by {@link FrameCheck#problem} for a whole frame
     * (whose NV12 chroma rows may be one byte shorter than a full row at an odd width: only the even part is read).
     */
    private void encodeLocated(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        if (hardware != null) {
            switch (format) {
                case BGRA8888, RGBA8888 -> {
                    long nv12 = converted.address();
                    int planeStride = RgbToNv12.planeStride(width);
                    long uv = nv12 + RgbToNv12.chromaOffset(width, height);
                    convert(planes.address(0), planes.stride(0), nv12, planeStride, uv, planeStride);
                    describeNv12(nv12, planeStride, uv, planeStride);
                }
                case NV12 -> describeNv12(planes.address(0), planes.stride(0), planes.address(1), planes.stride(1));
                default -> throw new EncoderException(codec.encoderName() + " takes NV12, BGRA or RGBA, not " + format);
            }
            sendUploaded(forceIdr);
        } else {
            makeInputWritable();
            long y = NATIVE.get(JAVA_LONG, input + AVFrame.data$OFFSET);
            int ys = NATIVE.get(JAVA_INT, input + AVFrame.linesize$OFFSET);
            long p1 = NATIVE.get(JAVA_LONG, input + AVFrame.data$OFFSET + 8);
            int s1 = NATIVE.get(JAVA_INT, input + AVFrame.linesize$OFFSET + 4);
            switch (format) {
                case BGRA8888, RGBA8888 -> convert(planes.address(0), planes.stride(0), y, ys, p1, s1);
                case NV12 -> {
                    copyPlane(planes.address(0), planes.stride(0), y, ys, encodedWidth, encodedHeight);
                    copyPlane(planes.address(1), planes.stride(1), p1, s1, encodedWidth, encodedHeight / 2);
                }
                case I420 -> {
                    long p2 = NATIVE.get(JAVA_LONG, input + AVFrame.data$OFFSET + 16);
                    int s2 = NATIVE.get(JAVA_INT, input + AVFrame.linesize$OFFSET + 8);
                    copyPlane(planes.address(0), planes.stride(0), y, ys, encodedWidth, encodedHeight);
                    copyPlane(planes.address(1), planes.stride(1), p1, s1, encodedWidth / 2, encodedHeight / 2);
                    copyPlane(planes.address(2), planes.stride(2), p2, s2, encodedWidth / 2, encodedHeight / 2);
                }
            }
            send(input, forceIdr);
        }
        receive(pts, out);
    }

    /** An RGB frame already converted by {@link RgbToNv12} (same size): uploaded or copied from where it lies. */
    void encodeConverted(MemorySegment nv12, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        requireOpen();
        String problem = FrameCheck.convertedProblem(format, width, height, nv12);
        if (problem != null) {
            throw new EncoderException(problem);
        }
        long base = nv12.address();
        int planeStride = RgbToNv12.planeStride(width);
        long uv = base + RgbToNv12.chromaOffset(width, height);
        if (hardware != null) {
            describeNv12(base, planeStride, uv, planeStride);
            sendUploaded(forceIdr);
        } else {
            makeInputWritable();
            copyPlane(base, planeStride, NATIVE.get(JAVA_LONG, input + AVFrame.data$OFFSET),
                    NATIVE.get(JAVA_INT, input + AVFrame.linesize$OFFSET), encodedWidth, encodedHeight);
            copyPlane(uv, planeStride, NATIVE.get(JAVA_LONG, input + AVFrame.data$OFFSET + 8),
                    NATIVE.get(JAVA_INT, input + AVFrame.linesize$OFFSET + 4), encodedWidth, encodedHeight / 2);
            send(input, forceIdr);
        }
        receive(pts, out);
    }

    /**
     * Where a DMA-BUF frame of this session goes before anything is tried, as a {@link DmaBufFrame} code, or -1 when
     * the import should be tried: only h264_vaapi on a display framebridge opened imports, only NV12, and not after
     * the driver refused once.
     */
    static int dmaBufRoute(AvcodecCodec codec, boolean hasVaDisplay, PixelFormat format, boolean refusedBefore) {
        if (codec != AvcodecCodec.H264_VAAPI || !hasVaDisplay) {
            return DmaBufFrame.NOT_THIS_ENCODER;
        }
        if (format != PixelFormat.NV12) {
            return DmaBufFrame.NOT_NV12;
        }
        return refusedBefore ? DmaBufFrame.REFUSED : -1;
    }

    /**
     * A frame in a DMA-BUF, imported as a VA surface on this session's display ({@link VaDmaBufImport}) and encoded
     * from there — no upload, no copy — when {@link #dmaBufRoute} allows; otherwise (or when the driver refuses the
     * import, which ends the attempts for this session) nothing is encoded and the code says why.
     */
    int encodeDmaBuf(DmaBufFrame buffer, FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        requireOpen();
        VaDevice va = hardware == null ? null : hardware.vaDevice();
        int route = dmaBufRoute(codec, va != null, format, importRefusal != null);
        if (route >= 0) {
            return route;
        }
        long yOffset = planes.address(0) - buffer.base();
        long uvOffset = planes.address(1) - buffer.base();
        String problem = VaDmaBufImport.problem(buffer.fd(), encodedWidth, encodedHeight, buffer.size(), yOffset,
                planes.stride(0), uvOffset, planes.stride(1));
        if (problem != null) {
            importRefusal = problem;
            return DmaBufFrame.REFUSED;
        }
        if (importer == null) {
            importer = new VaDmaBufImport(va);
            long ref = LibAvutil.av_buffer_create(0, 0, NoopFree.STUB, 0, 0);
            if (ref == 0) {
                throw new EncoderException("av_buffer_create failed: out of memory");
            }
            surfaceBuffer.set(JAVA_LONG, 0, ref);
        }
        if (!importer.importNv12(buffer.fd(), encodedWidth, encodedHeight, buffer.size(), LibVa.DRM_FORMAT_MOD_LINEAR,
                yOffset, planes.stride(0), uvOffset, planes.stride(1))) {
            importRefusal = importer.failure(buffer.fd(), encodedWidth, encodedHeight);
            return DmaBufFrame.REFUSED;
        }
        long surface = importer.surface();
        try {
            encodeSurface(surface, pts, forceIdr, out);
        } finally {
            releaseSurface(surface);
        }
        return DmaBufFrame.ENCODED;
    }

    /** Why this session stopped importing DMA-BUFs, or null. */
    String importRefusal() {
        return importRefusal;
    }

    /**
     * The encoder is done with an imported surface once it let go of the frame that carried it (h264_vaapi frees its
     * input frame when the picture's encode completes, before the access unit comes out): then the surface is destroyed.
     * If it still holds it, the surface is destroyed with the next one it lets go of, or at close.
     */
    private void releaseSurface(long surface) throws EncoderException {
        if (LibAvutil.av_buffer_get_ref_count(surfaceBuffer.get(JAVA_LONG, 0)) == 1) {
            importer.destroy(surface);
            if (heldSurface >= 0) {
                importer.destroy(heldSurface);
                heldSurface = -1;
            }
            return;
        }
        if (heldSurface >= 0) {
            throw new EncoderBrokenException(codec.encoderName() + " holds two imported surfaces after their access"
                    + " units, which one frame in flight forbids");
        }
        heldSurface = surface;
    }

    /** The free callback of the buffer imported surfaces' frames carry: the surfaces are destroyed by this session. */
    private static final class NoopFree {
        static final MemorySegment STUB = Linker.nativeLinker().upcallStub(
                MethodHandles.empty(MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class)),
                FunctionDescriptor.ofVoid(ADDRESS, ADDRESS), Arena.global());
    }

    /** A VA surface on this session's own display, sent as it is: no upload, no copy. */
    private void encodeSurface(long surfaceId, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        long frame = upload;
        NATIVE.set(JAVA_INT, frame + AVFrame.format$OFFSET, LibAvutil.AV_PIX_FMT_VAAPI);
        NATIVE.set(JAVA_INT, frame + AVFrame.width$OFFSET, encodedWidth);
        NATIVE.set(JAVA_INT, frame + AVFrame.height$OFFSET, encodedHeight);
        NATIVE.set(JAVA_LONG, frame + AVFrame.data$OFFSET + 3 * 8L, surfaceId);
        NATIVE.set(JAVA_LONG, frame + AVFrame.buf$OFFSET, surfaceBuffer.get(JAVA_LONG, 0));
        NATIVE.set(JAVA_LONG, frame + AVFrame.hw_frames_ctx$OFFSET, hardware.frames());
        try {
            send(frame, forceIdr);
        } finally {
            // the encoder took its own references; ours were borrowed, so clear rather than unref
            NATIVE.set(JAVA_LONG, frame + AVFrame.buf$OFFSET, 0L);
            NATIVE.set(JAVA_LONG, frame + AVFrame.hw_frames_ctx$OFFSET, 0L);
            NATIVE.set(JAVA_LONG, frame + AVFrame.data$OFFSET + 3 * 8L, 0L);
        }
        receive(pts, out);
    }

    private void convert(long src, int srcStride, long y, int yStride, long uv, int uvStride) throws EncoderException {
        int rc = format == PixelFormat.RGBA8888
                ? LibYuv.ABGRToNV12(src, srcStride, y, yStride, uv, uvStride, encodedWidth, encodedHeight)
                : LibYuv.ARGBToNV12(src, srcStride, y, yStride, uv, uvStride, encodedWidth, encodedHeight);
        if (rc != 0) {
            throw new EncoderException("libyuv " + format + "→NV12 conversion failed (" + rc + ") for " + encodedWidth
                    + "x" + encodedHeight);
        }
    }

    private static void copyPlane(long src, int srcStride, long dst, int dstStride, int rowBytes, int rows) {
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(NATIVE, src + (long) r * srcStride, NATIVE, dst + (long) r * dstStride, rowBytes);
        }
    }

    /** Aims the source-description frame at an NV12 picture (hardware path; the upload reads it). */
    private void describeNv12(long y, int yStride, long uv, int uvStride) {
        NATIVE.set(JAVA_LONG, input + AVFrame.data$OFFSET, y);
        NATIVE.set(JAVA_LONG, input + AVFrame.data$OFFSET + 8, uv);
        NATIVE.set(JAVA_INT, input + AVFrame.linesize$OFFSET, yStride);
        NATIVE.set(JAVA_INT, input + AVFrame.linesize$OFFSET + 4, uvStride);
    }

    /** The encoder may still hold the previous picture (it should not, one frame in flight): then it gets a copy. */
    private void makeInputWritable() throws EncoderException {
        if (LibAvutil.av_frame_is_writable(input) == 0) {
            int rc = LibAvutil.av_frame_make_writable(input);
            if (rc < 0) {
                throw new EncoderBrokenException("av_frame_make_writable failed: " + LibAvutil.av_strerror(rc));
            }
        }
    }

    private void sendUploaded(boolean forceIdr) throws EncoderException {
        int rc = LibAvutil.av_hwframe_get_buffer(hardware.frames(), upload, 0);
        if (rc < 0) {
            throw new EncoderBrokenException(codec.encoderName() + ": no surface from the pool (av_hwframe_get_buffer: "
                    + LibAvutil.av_strerror(rc) + ")");
        }
        try {
            rc = LibAvutil.av_hwframe_transfer_data(upload, input, 0);
            if (rc < 0) {
                throw new EncoderBrokenException(codec.encoderName() + ": uploading the frame failed"
                        + " (av_hwframe_transfer_data: " + LibAvutil.av_strerror(rc) + ")");
            }
            send(upload, forceIdr);
        } finally {
            LibAvutil.av_frame_unref(upload); // the encoder holds its own reference to the surface
        }
    }

    private void send(long frame, boolean forceIdr) throws EncoderException {
        LibAvcodec.av_packet_unref(packet); // the previous access unit's memory goes back now
        NATIVE.set(JAVA_LONG, frame + AVFrame.pts$OFFSET, ++frameNumber);
        NATIVE.set(JAVA_INT, frame + AVFrame.pict_type$OFFSET,
                forceIdr ? LibAvutil.AV_PICTURE_TYPE_I : LibAvutil.AV_PICTURE_TYPE_NONE);
        int rc = LibAvcodec.avcodec_send_frame(context, frame);
        if (rc < 0) {
            throw new EncoderBrokenException(codec.encoderName() + " refused frame " + frameNumber
                    + " (avcodec_send_frame: " + LibAvutil.av_strerror(rc) + ", " + rc + ")");
        }
    }

    private void receive(long pts, EncodedFrame out) throws EncoderException {
        int rc = LibAvcodec.avcodec_receive_packet(context, packet);
        if (rc == LibAvutil.AVERROR_EAGAIN) {
            throw new EncoderBrokenException(codec.encoderName() + " gave no access unit for frame " + frameNumber
                    + ": it is holding frames back, which the real-time settings (one frame in flight) forbid");
        }
        if (rc < 0) {
            throw new EncoderBrokenException(codec.encoderName() + " failed on frame " + frameNumber
                    + " (avcodec_receive_packet: " + LibAvutil.av_strerror(rc) + ", " + rc + ")");
        }
        long packetPts = NATIVE.get(JAVA_LONG, packet + AVPacket.pts$OFFSET);
        if (packetPts != frameNumber) {
            throw new EncoderBrokenException(codec.encoderName() + " returned the access unit of frame " + packetPts
                    + " for frame " + frameNumber + ": its output runs behind its input");
        }
        long data = NATIVE.get(JAVA_LONG, packet + AVPacket.data$OFFSET);
        int size = NATIVE.get(JAVA_INT, packet + AVPacket.size$OFFSET);
        boolean key = (NATIVE.get(JAVA_INT, packet + AVPacket.flags$OFFSET) & LibAvcodec.AV_PKT_FLAG_KEY) != 0;
        if (size <= 0) {
            throw new EncoderBrokenException(codec.encoderName() + " gave an empty access unit for frame " + frameNumber);
        }
        out.setNative(data, size, key, pts, pts);
    }

    private void requireOpen() throws EncoderException {
        if (closed) {
            throw new EncoderException(codec.encoderName() + " encoder is closed");
        }
    }

    /** An option's current value as the encoder holds it (after open), for tests: av_opt_get_int. */
    long optionValue(String name) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment value = scratch.allocate(JAVA_LONG);
            int rc = LibAvutil.av_opt_get_int(context, scratch.allocateFrom(name), LibAvutil.AV_OPT_SEARCH_CHILDREN,
                    value);
            if (rc < 0) {
                throw new IllegalArgumentException(codec.encoderName() + " has no integer option " + name + ": "
                        + LibAvutil.av_strerror(rc));
            }
            return value.get(JAVA_LONG, 0);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibAvcodec.avcodec_free_context(contextSlot);
        LibAvcodec.av_packet_free(packetSlot);
        LibAvutil.av_frame_free(inputSlot);
        if (upload != 0) {
            LibAvutil.av_frame_free(uploadSlot);
        }
        if (importer != null) {
            if (heldSurface >= 0) {
                importer.destroy(heldSurface); // the codec context that held it is freed
            }
            importer.close();
        }
        LibAvutil.av_buffer_unref(surfaceBuffer);
        if (hardware != null) {
            hardware.close();
        }
        arena.close();
    }
}
