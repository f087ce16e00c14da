package dev.framebridge.client;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;

/**
 * What a guest needs of an answer's access unit, checked without a decoder: Annex-B with start codes, and on an
 * IDR an SPS and a PPS in front of the first IDR slice (vsockenc's caps are byte-stream/au with in-band
 * parameter sets). {@link #problem} is null when the unit is good, else a sentence saying what is wrong.
 */
public final class AccessUnitCheck {
    private static final int NAL_IDR = 5;
    private static final int NAL_SPS = 7;
    private static final int NAL_PPS = 8;

    private AccessUnitCheck() {
    }

    public static String problem(MemorySegment au, boolean keyframe) {
        long n = au.byteSize();
        if (n < 4) {
            return "the access unit is " + n + " bytes: too short to hold a NAL unit";
        }
        boolean startCode = au.get(JAVA_BYTE, 0) == 0 && au.get(JAVA_BYTE, 1) == 0
                && (au.get(JAVA_BYTE, 2) == 1 || (au.get(JAVA_BYTE, 2) == 0 && au.get(JAVA_BYTE, 3) == 1));
        if (!startCode) {
            return String.format("the access unit does not start with an Annex-B start code (first bytes %02x %02x %02x %02x):"
                    + " the host sends length-prefixed (AVC) NALs or garbage", au.get(JAVA_BYTE, 0), au.get(JAVA_BYTE, 1),
                    au.get(JAVA_BYTE, 2), au.get(JAVA_BYTE, 3));
        }
        long sps = -1;
        long pps = -1;
        long idr = -1;
        int nals = 0;
        for (long i = 0; i + 3 < n; i++) {
            if (au.get(JAVA_BYTE, i) == 0 && au.get(JAVA_BYTE, i + 1) == 0 && au.get(JAVA_BYTE, i + 2) == 1) {
                int type = au.get(JAVA_BYTE, i + 3) & 0x1F;
                nals++;
                if (type == NAL_SPS && sps < 0) {
                    sps = i;
                } else if (type == NAL_PPS && pps < 0) {
                    pps = i;
                } else if (type == NAL_IDR && idr < 0) {
                    idr = i;
                }
                i += 3;
            }
        }
        if (nals == 0) {
            return "no NAL units found in the access unit";
        }
        if (keyframe) {
            if (idr < 0) {
                return "the answer is flagged keyframe but holds no IDR slice";
            }
            if (sps < 0 || pps < 0 || sps > idr || pps > idr) {
                return "the IDR is not preceded by SPS and PPS: a decoder joining here cannot start"
                        + " (the encoder must repeat parameter sets in-band)";
            }
        }
        return null;
    }
}
