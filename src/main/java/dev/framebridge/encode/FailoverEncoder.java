package dev.framebridge.encode;

import java.lang.foreign.MemorySegment;

/**
 * A session's encoder that survives its GPU: frames go to the primary (hardware) encoder until it fails with an
 * {@link EncoderBrokenException}; then, in the same call, it is closed, x264 is opened with the same configuration
 * and the frame that failed is encoded again by x264 as an IDR with SPS/PPS in front — so the client gets an
 * answer for every frame, no error, and a keyframe its decoder can restart from. The listener hears of it once.
 *
 * <p>A frame the caller got wrong (wrong size, short buffer) is not the encoder's failure: that error goes back
 * as it is and nothing switches. No allocation on the normal path.
 */
public final class FailoverEncoder implements Encoder {

    /** Told once per session when it switches encoder (from the encode thread; off the normal path). */
    public interface Listener {
        void onFailover(String from, String to, String reason);
    }

    private final EncoderBackend fallback;
    private final Listener listener;
    private Encoder current;
    private boolean failedOver;

    public FailoverEncoder(Encoder primary, EncoderBackend fallback, Listener listener) {
        this.current = primary;
        this.fallback = fallback;
        this.listener = listener;
    }

    /** The encoder now in use. */
    @Override
    public String name() {
        return current.name();
    }

    @Override
    public EncoderConfig config() {
        return current.config();
    }

    /** Whether this session has moved to the fallback. */
    public boolean failedOver() {
        return failedOver;
    }

    @Override
    public void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        try {
            current.encode(pixels, stride, pts, forceIdr, out);
        } catch (EncoderBrokenException e) {
            switchOver(current.config(), e);
            current.encode(pixels, stride, pts, true, out);
        }
    }

    @Override
    public void encodeConverted(MemorySegment nv12, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        try {
            current.encodeConverted(nv12, pts, forceIdr, out);
        } catch (EncoderBrokenException e) {
            switchOver(current.config(), e);
            current.encodeConverted(nv12, pts, true, out);
        }
    }

    /**
     * A reconfigure the primary refuses moves the session to the fallback only if the fallback takes the new
     * configuration; if it refuses it too, the configuration is what is wrong, and the primary (which a refused
     * reconfigure leaves as it was) carries on.
     */
    @Override
    public void reconfigure(EncoderConfig config) throws EncoderException {
        try {
            current.reconfigure(config);
        } catch (EncoderException e) {
            if (failedOver) {
                throw e;
            }
            Encoder replacement;
            try {
                replacement = fallback.open(config);
            } catch (EncoderException refusedToo) {
                e.addSuppressed(refusedToo);
                throw e;
            }
            String from = current.name();
            current.close();
            current = replacement;
            failedOver = true;
            listener.onFailover(from, current.name(), "reconfigure failed: " + e.getMessage());
        }
    }

    private void switchOver(EncoderConfig config, EncoderException cause) throws EncoderException {
        if (failedOver) {
            throw cause;
        }
        String from = current.name();
        current.close();
        try {
            current = fallback.open(config);
        } catch (EncoderException e) {
            current = new ClosedEncoder(from, config);
            throw new EncoderException(from + " failed (" + cause.getMessage() + ") and " + fallback.name()
                    + " could not take over: " + e.getMessage(), e);
        }
        failedOver = true;
        listener.onFailover(from, current.name(), cause.getMessage());
    }

    @Override
    public void close() {
        current.close();
    }

    /** What is left when neither encoder works: every call says so. */
    private record ClosedEncoder(String name, EncoderConfig config) implements Encoder {
        @Override
        public void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out)
                throws EncoderException {
            throw new EncoderException(name + " failed and no encoder could take over");
        }

        @Override
        public void reconfigure(EncoderConfig config) throws EncoderException {
            throw new EncoderException(name + " failed and no encoder could take over");
        }

        @Override
        public void close() {
        }
    }
}
