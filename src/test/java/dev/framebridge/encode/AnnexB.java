package dev.framebridge.encode;

import java.util.ArrayList;
import java.util.List;

/** Reads NAL unit types out of Annex-B bytes by scanning start codes ourselves (00 00 01, or 00 00 00 01). */
public final class AnnexB {
    private AnnexB() {
    }

    public static final int IDR = 5;
    public static final int SEI = 6;
    public static final int SPS = 7;
    public static final int PPS = 8;

    public static List<Integer> nalTypes(byte[] au) {
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i + 3 < au.length; i++) {
            if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1) {
                types.add(au[i + 3] & 0x1F);
                i += 3;
            }
        }
        return types;
    }

    public static boolean startsWithStartCode(byte[] au) {
        return au.length >= 4 && au[0] == 0 && au[1] == 0 && (au[2] == 1 || (au[2] == 0 && au[3] == 1));
    }

    /** True when an SPS and then a PPS come before the first IDR slice of this access unit. */
    public static boolean parameterSetsPrecedeIdr(List<Integer> types) {
        int idr = types.indexOf(IDR);
        int sps = types.indexOf(SPS);
        int pps = types.indexOf(PPS);
        return idr >= 0 && sps >= 0 && pps > sps && pps < idr;
    }
}
