package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.vaapi.VaDevice;
import dev.framebridge.ffi.LibAvutil;
import dev.framebridge.ffi.LibAvutil.AVBufferRef;
import dev.framebridge.ffi.LibAvutil.AVHWDeviceContext;
import dev.framebridge.ffi.LibAvutil.AVHWFramesContext;
import dev.framebridge.ffi.LibAvutil.AVVAAPIDeviceContext;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static dev.framebridge.ffi.LibAvutil.NATIVE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The hardware device and frames context one encoder session uploads its frames into:
 * <ul>
 *   <li>h264_vaapi: a VAAPI device on the VADisplay framebridge opened itself ({@link VaDevice}) on the render node
 *       the probe chose — so the errors are libva's own, and a DMA-BUF imported on that display is a surface of
 *       the encoder's device;</li>
 *   <li>h264_qsv: a QSV device derived from such a VAAPI device (how Sunshine and FFmpeg reach Quick Sync on
 *       Linux);</li>
 *   <li>h264_nvenc and h264_videotoolbox: {@code av_hwdevice_ctx_create} on the default CUDA device / VideoToolbox;</li>
 * </ul>
 * then an NV12 frames context of the encoded size on it ({@code av_hwframe_ctx_alloc/init}). Freed in reverse
 * order; the VA display last.
 */
final class AvcodecHardware implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    /** {@code AVBufferRef *} slots, so av_buffer_unref can clear them. */
    private final MemorySegment device = arena.allocate(JAVA_LONG);
    private final MemorySegment vaapiDevice = arena.allocate(JAVA_LONG);
    private final MemorySegment frames = arena.allocate(JAVA_LONG);
    private VaDevice va;

    private AvcodecHardware() {
    }

    /**
     * @param node the render node for VAAPI and QSV (ignored by the others)
     * @param log  libav's log while this runs, for the error message
     */
    static AvcodecHardware open(AvcodecCodec codec, Path node, int width, int height, AvLog.Capture log)
            throws EncoderException {
        AvcodecHardware hw = new AvcodecHardware();
        boolean ok = false;
        try {
            hw.openDevice(codec, node, log);
            hw.openFrames(codec, width, height, log);
            ok = true;
            return hw;
        } finally {
            if (!ok) {
                hw.close();
            }
        }
    }

    private void openDevice(AvcodecCodec codec, Path node, AvLog.Capture log) throws EncoderException {
        int type = codec.deviceType();
        if (type == LibAvutil.AV_HWDEVICE_TYPE_VAAPI || type == LibAvutil.AV_HWDEVICE_TYPE_QSV) {
            if (node == null) {
                throw new EncoderException(codec.encoderName() + " needs a render node and none was found");
            }
            try {
                va = VaDevice.open(node);
            } catch (VaDevice.VaDeviceException e) {
                throw new EncoderException(e.getMessage());
            }
            long ref = LibAvutil.av_hwdevice_ctx_alloc(LibAvutil.AV_HWDEVICE_TYPE_VAAPI);
            if (ref == 0) {
                throw new EncoderException("av_hwdevice_ctx_alloc(VAAPI) failed: out of memory");
            }
            vaapiDevice.set(JAVA_LONG, 0, ref);
            long context = NATIVE.get(JAVA_LONG, ref + AVBufferRef.data$OFFSET);
            long hwctx = NATIVE.get(JAVA_LONG, context + AVHWDeviceContext.hwctx$OFFSET);
            NATIVE.set(JAVA_LONG, hwctx + AVVAAPIDeviceContext.display$OFFSET, va.display());
            check(LibAvutil.av_hwdevice_ctx_init(ref), "av_hwdevice_ctx_init(VAAPI on " + node + ")", log);
            if (type == LibAvutil.AV_HWDEVICE_TYPE_VAAPI) {
                device.set(JAVA_LONG, 0, LibAvutil.av_buffer_ref(ref));
            } else {
                check(LibAvutil.av_hwdevice_ctx_create_derived(device, type, ref, 0),
                        "av_hwdevice_ctx_create_derived(QSV from VAAPI on " + node + ")", log);
            }
        } else {
            check(LibAvutil.av_hwdevice_ctx_create(device, type, MemorySegment.NULL, 0, 0),
                    "av_hwdevice_ctx_create(" + codec.encoderName() + "'s device)", log);
        }
    }

    private void openFrames(AvcodecCodec codec, int width, int height, AvLog.Capture log) throws EncoderException {
        long ref = LibAvutil.av_hwframe_ctx_alloc(device.get(JAVA_LONG, 0));
        if (ref == 0) {
            throw new EncoderException("av_hwframe_ctx_alloc failed for " + codec.encoderName() + log.suffix());
        }
        frames.set(JAVA_LONG, 0, ref);
        long context = NATIVE.get(JAVA_LONG, ref + AVBufferRef.data$OFFSET);
        NATIVE.set(JAVA_INT, context + AVHWFramesContext.format$OFFSET, codec.hardwareFormat());
        NATIVE.set(JAVA_INT, context + AVHWFramesContext.sw_format$OFFSET, LibAvutil.AV_PIX_FMT_NV12);
        NATIVE.set(JAVA_INT, context + AVHWFramesContext.width$OFFSET, width);
        NATIVE.set(JAVA_INT, context + AVHWFramesContext.height$OFFSET, height);
        NATIVE.set(JAVA_INT, context + AVHWFramesContext.initial_pool_size$OFFSET, codec.poolSize());
        check(LibAvutil.av_hwframe_ctx_init(ref), "av_hwframe_ctx_init(" + width + "x" + height + " NV12 "
                + LibAvutil.av_get_pix_fmt_name(codec.hardwareFormat()) + " surfaces)", log);
    }

    private static void check(int rc, String call, AvLog.Capture log) throws EncoderException {
        if (rc < 0) {
            throw new EncoderException(call + " failed: " + LibAvutil.av_strerror(rc) + " (" + rc + ")" + log.suffix());
        }
    }

    /** The frames context ({@code AVBufferRef *}) the codec context takes a reference to. */
    long frames() {
        return frames.get(JAVA_LONG, 0);
    }

    /** The VA display this session's surfaces live on, or null for CUDA and VideoToolbox. */
    VaDevice vaDevice() {
        return va;
    }

    @Override
    public void close() {
        if (!arena.scope().isAlive()) {
            return;
        }
        LibAvutil.av_buffer_unref(frames);
        LibAvutil.av_buffer_unref(device);
        LibAvutil.av_buffer_unref(vaapiDevice);
        if (va != null) {
            va.close();
            va = null;
        }
        arena.close();
    }
}
