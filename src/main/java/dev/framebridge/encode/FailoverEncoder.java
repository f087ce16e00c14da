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

        /**
         * A frame from a DMA-BUF pool went where {@code outcome} (a {@link DmaBufFrame} code) says. Once per such frame,
         * from the encode thread: count, do not allocate.
         */
        default void onDmaBufFrame(int outcome) {
        }

        /** The session's encoder refused a DMA-BUF import and reads them with the CPU from now on; once per session. */
        default void onDmaBufRefused(String encoder, String reason) {
        }
    }

    private final EncoderBackend fallback;
    private final Listener listener;
    private Encoder current;
    private boolean failedOver;
    /** The fallback has taken over and has not yet encoded a frame: that frame is an IDR, however it arrives. */
    private boolean idrDue;
    private boolean refusalReported;

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
            current.encode(pixels, stride, pts, forceIdr || idrDue, out);
        } catch (EncoderBrokenException e) {
            switchOver(current.config(), e);
            current.encode(pixels, stride, pts, true, out);
        }
        idrDue = false;
    }

    @Override
    public void encodeConverted(MemorySegment nv12, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        try {
            current.encodeConverted(nv12, pts, forceIdr || idrDue, out);
        } catch (EncoderBrokenException e) {
            switchOver(current.config(), e);
            current.encodeConverted(nv12, pts, true, out);
        }
        idrDue = false;
    }

    @Override
    public void encodePlanes(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out) throws EncoderException {
        try {
            current.encodePlanes(planes, pts, forceIdr || idrDue, out);
        } catch (EncoderBrokenException e) {
            switchOver(current.config(), e);
            current.encodePlanes(planes, pts, true, out);
        }
        idrDue = false;
    }

    /**
     * Offers the DMA-BUF to the encoder in use; a GPU encoder that breaks on it hands over to the fallback like on any
     * frame (which then declines the import, so the caller reads the frame with the CPU — as an IDR). The listener
     * hears every outcome, and the first refusal of the session with its reason.
     */
    @Override
    public int encodeDmaBuf(DmaBufFrame buffer, FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out)
            throws EncoderException {
        int outcome;
        try {
            outcome = current.encodeDmaBuf(buffer, planes, pts, forceIdr || idrDue, out);
        } catch (EncoderBrokenException e) {
            switchOver(current.config(), e);
            outcome = current.encodeDmaBuf(buffer, planes, pts, true, out);
        }
        if (outcome == DmaBufFrame.ENCODED) {
            idrDue = false;
        } else if (outcome == DmaBufFrame.REFUSED && !refusalReported) {
            refusalReported = true;
            listener.onDmaBufRefused(current.name(), current.dmaBufRefusal());
        }
        listener.onDmaBufFrame(outcome);
        return outcome;
    }

    @Override
    public String dmaBufRefusal() {
        return current.dmaBufRefusal();
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
        idrDue = true;
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
