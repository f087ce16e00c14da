package dev.framebridge.encode;

import java.lang.foreign.MemorySegment;

/**
 * A real backend whose encoders break at frame {@code failAt} (counted per encoder, from 0) and stay broken — what a
 * GPU encoder does when its device is lost mid-session. Every frame before that is the real encoder's.
 */
public final class FailingAt implements EncoderBackend {
    private final EncoderBackend real;
    private final int failAt;

    public FailingAt(EncoderBackend real, int failAt) {
        this.real = real;
        this.failAt = failAt;
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public String unavailableReason() {
        return real.unavailableReason();
    }

    @Override
    public boolean isHardware() {
        return true;
    }

    @Override
    public boolean takesConvertedRgb() {
        return real.takesConvertedRgb();
    }

    @Override
    public Encoder open(EncoderConfig config) throws EncoderException {
        Encoder encoder = real.open(config);
        return new Encoder() {
            private int frames;

            @Override
            public String name() {
                return encoder.name();
            }

            @Override
            public EncoderConfig config() {
                return encoder.config();
            }

            private void maybeFail() throws EncoderBrokenException {
                if (frames++ >= failAt) {
                    throw new EncoderBrokenException(encoder.name() + " lost its device (simulated at frame " + failAt + ")");
                }
            }

            @Override
            public void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out)
                    throws EncoderException {
                maybeFail();
                encoder.encode(pixels, stride, pts, forceIdr, out);
            }

            @Override
            public void encodeConverted(MemorySegment nv12, long pts, boolean forceIdr, EncodedFrame out)
                    throws EncoderException {
                maybeFail();
                encoder.encodeConverted(nv12, pts, forceIdr, out);
            }

            @Override
            public void encodePlanes(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out)
                    throws EncoderException {
                maybeFail();
                encoder.encodePlanes(planes, pts, forceIdr, out);
            }

            @Override
            public int encodeDmaBuf(DmaBufFrame buffer, FramePlanes planes, long pts, boolean forceIdr,
                                    EncodedFrame out) throws EncoderException {
                int outcome = encoder.encodeDmaBuf(buffer, planes, pts, forceIdr, out);
                if (outcome == DmaBufFrame.ENCODED) {
                    maybeFail();
                }
                return outcome;
            }

            @Override
            public void reconfigure(EncoderConfig config) throws EncoderException {
                encoder.reconfigure(config);
            }

            @Override
            public void close() {
                encoder.close();
            }
        };
    }
}
