package dev.framebridge.encode.avcodec;

import dev.framebridge.ffi.LibAvutil;

/**
 * The libavcodec H.264 encoders framebridge drives, each with the hardware device and surface format its input
 * frames live in (Sunshine's choices: VAAPI surfaces for h264_vaapi, CUDA memory for NVENC, QSV surfaces derived
 * from a VAAPI device for Quick Sync, CVPixelBuffers for VideoToolbox), and libx264 as the software encoder the
 * whole path is tested with where no GPU is.
 */
public enum AvcodecCodec {
    H264_VAAPI("h264_vaapi", "Linux", LibAvutil.AV_HWDEVICE_TYPE_VAAPI, LibAvutil.AV_PIX_FMT_VAAPI, 0),
    H264_NVENC("h264_nvenc", "Linux", LibAvutil.AV_HWDEVICE_TYPE_CUDA, LibAvutil.AV_PIX_FMT_CUDA, 0),
    /** QSV needs a fixed pool of surfaces (its frames context refuses a dynamic one). */
    H264_QSV("h264_qsv", "Linux", LibAvutil.AV_HWDEVICE_TYPE_QSV, LibAvutil.AV_PIX_FMT_QSV, 8),
    H264_VIDEOTOOLBOX("h264_videotoolbox", "Mac OS X", LibAvutil.AV_HWDEVICE_TYPE_VIDEOTOOLBOX,
            LibAvutil.AV_PIX_FMT_VIDEOTOOLBOX, 0),
    LIBX264("libx264", null, LibAvutil.AV_HWDEVICE_TYPE_NONE, LibAvutil.AV_PIX_FMT_NONE, 0);

    private final String encoderName;
    private final String os;
    private final int deviceType;
    private final int hardwareFormat;
    private final int poolSize;

    AvcodecCodec(String encoderName, String os, int deviceType, int hardwareFormat, int poolSize) {
        this.encoderName = encoderName;
        this.os = os;
        this.deviceType = deviceType;
        this.hardwareFormat = hardwareFormat;
        this.poolSize = poolSize;
    }

    /** libavcodec's name of the encoder, also the backend name ({@code --encoder h264_vaapi}). */
    public String encoderName() {
        return encoderName;
    }

    /** The {@code os.name} it runs on, or null for any. */
    public String os() {
        return os;
    }

    public boolean isHardware() {
        return deviceType != LibAvutil.AV_HWDEVICE_TYPE_NONE;
    }

    /** AV_HWDEVICE_TYPE_* of the device its frames context is made on. */
    int deviceType() {
        return deviceType;
    }

    /** AV_PIX_FMT_* of its input surfaces (the codec context's pix_fmt), or AV_PIX_FMT_NONE for software. */
    int hardwareFormat() {
        return hardwareFormat;
    }

    /** initial_pool_size of the frames context: 0 lets the pool grow. */
    int poolSize() {
        return poolSize;
    }

    public static AvcodecCodec byName(String name) {
        for (AvcodecCodec c : values()) {
            if (c.encoderName.equals(name)) {
                return c;
            }
        }
        return null;
    }
}
