package dev.framebridge.jmh;

import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.FramePlanes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Benchmark code only, never shipped: an encoder that does no work and returns the same small access unit (an
 * Annex-B start code, an IDR-typed NAL header and filler) for every frame, so that an engine run measures the
 * bridge alone — receive, hand-off, answer, write.
 */
final class StandInBackend implements EncoderBackend {
    static final String NAME = "stand-in";
    /** Bytes of the access unit every frame gets back. */
    static final int ACCESS_UNIT_BYTES = 1024;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Encoder open(EncoderConfig config) {
        return new StandInEncoder(config);
    }

    private static final class StandInEncoder implements Encoder {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment accessUnit = arena.allocate(ACCESS_UNIT_BYTES, 64);
        private EncoderConfig config;

        StandInEncoder(EncoderConfig config) {
            this.config = config;
            accessUnit.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0x0100_0000); // 00 00 00 01
            accessUnit.set(ValueLayout.JAVA_BYTE, 4, (byte) 0x65);           // IDR slice NAL header
            for (int i = 5; i < ACCESS_UNIT_BYTES; i++) {
                accessUnit.set(ValueLayout.JAVA_BYTE, i, (byte) (0x80 | i));
            }
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public EncoderConfig config() {
            return config;
        }

        @Override
        public void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out) {
            out.set(accessUnit, forceIdr, pts, pts);
        }

        /** A frame by reference: as {@link #encode}, its planes never read (the bridge alone is measured). */
        @Override
        public void encodePlanes(FramePlanes planes, long pts, boolean forceIdr, EncodedFrame out) {
            out.set(accessUnit, forceIdr, pts, pts);
        }

        @Override
        public void reconfigure(EncoderConfig config) {
            this.config = config;
        }

        @Override
        public void close() {
            arena.close();
        }
    }
}
