package dev.framebridge.encode;

/**
 * A GPU backend with x264 behind it: sessions open on the GPU encoder, and one whose encoder fails — at open, at a
 * reconfigure or on a frame — carries on with x264 ({@link FailoverEncoder}). Wrapping is the engine's choice; the
 * listener is where it counts and logs a failover.
 */
public final class FailoverBackend implements EncoderBackend {
    private final EncoderBackend primary;
    private final EncoderBackend fallback;
    private final FailoverEncoder.Listener listener;

    private FailoverBackend(EncoderBackend primary, EncoderBackend fallback, FailoverEncoder.Listener listener) {
        this.primary = primary;
        this.fallback = fallback;
        this.listener = listener;
    }

    /** {@code primary} with failover to {@code fallback}; {@code primary} itself when it is the fallback already. */
    public static EncoderBackend around(EncoderBackend primary, EncoderBackend fallback,
                                        FailoverEncoder.Listener listener) {
        if (primary.name().equals(fallback.name())) {
            return primary;
        }
        return new FailoverBackend(primary, fallback, listener);
    }

    @Override
    public String name() {
        return primary.name();
    }

    @Override
    public String unavailableReason() {
        return primary.unavailableReason();
    }

    @Override
    public String deviceProblem() {
        return primary.deviceProblem();
    }

    @Override
    public boolean isHardware() {
        return primary.isHardware();
    }

    /** Both must take frames converted ahead, or the session would get a frame one of them cannot read. */
    @Override
    public boolean takesConvertedRgb() {
        return primary.takesConvertedRgb() && fallback.takesConvertedRgb();
    }

    @Override
    public Encoder open(EncoderConfig config) throws EncoderException {
        Encoder encoder;
        try {
            encoder = primary.open(config);
        } catch (EncoderException e) {
            Encoder taken;
            try {
                taken = fallback.open(config);
            } catch (EncoderException refusedToo) {
                e.addSuppressed(refusedToo);
                throw e; // the configuration is what is wrong
            }
            listener.onFailover(primary.name(), taken.name(), "could not open: " + e.getMessage());
            return taken;
        }
        return new FailoverEncoder(encoder, fallback, listener);
    }
}
