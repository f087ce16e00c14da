package dev.framebridge.encode;

/**
 * A registered encoder backend: it can say whether this host can run it, and open sessions.
 * Only implemented backends are registered (see {@link EncoderRegistry}).
 */
public interface EncoderBackend {

    /** Name accepted by {@code --encoder}. */
    String name();

    /** Null when usable here; otherwise why not, naming the fix ("libx264.so.164 not found — install libx264-164"). */
    String unavailableReason();

    /**
     * Null when the hardware this backend needs is there and says it can encode H.264; otherwise exactly why not
     * ("no render node …", "vaInitialize error on /dev/dri/renderD128: …", "no H.264 entrypoint: …"). Asked after
     * {@link #unavailableReason()} came back null. Software backends need no device.
     */
    default String deviceProblem() {
        return null;
    }

    /** True for GPU encoders: a session on one falls back to x264 when it fails (see {@link FailoverBackend}). */
    default boolean isHardware() {
        return false;
    }

    Encoder open(EncoderConfig config) throws EncoderException;

    /**
     * True when this backend's encoders convert BGRA/RGBA to NV12 with {@link RgbToNv12} themselves and accept frames
     * the caller converted the same way ({@link Encoder#encodeConverted}). A backend that takes RGB natively
     * (a GPU's own converter) says false, and the engine hands it the pixels as they arrived.
     */
    default boolean takesConvertedRgb() {
        return false;
    }
}
