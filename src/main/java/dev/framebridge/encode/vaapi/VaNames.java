package dev.framebridge.encode.vaapi;

import dev.framebridge.ffi.LibVa;

import java.util.List;
import java.util.StringJoiner;

/** libva's profile, entrypoint and rate-control numbers as the names va.h gives them. */
final class VaNames {
    private VaNames() {
    }

    private static final String[] PROFILES = {
        "MPEG2Simple", "MPEG2Main", "MPEG4Simple", "MPEG4AdvancedSimple", "MPEG4Main", "H264Baseline", "H264Main",
        "H264High", "VC1Simple", "VC1Main", "VC1Advanced", "H263Baseline", "JPEGBaseline", "H264ConstrainedBaseline",
        "VP8Version0_3", "H264MultiviewHigh", "H264StereoHigh", "HEVCMain", "HEVCMain10", "VP9Profile0",
        "VP9Profile1", "VP9Profile2", "VP9Profile3", "HEVCMain12", "HEVCMain422_10", "HEVCMain422_12",
        "HEVCMain444", "HEVCMain444_10", "HEVCMain444_12", "HEVCSccMain", "HEVCSccMain10", "HEVCSccMain444",
        "AV1Profile0", "AV1Profile1", "HEVCSccMain444_10", "Protected",
    };

    private static final String[] ENTRYPOINTS = {
        null, "VLD", "IZZ", "IDCT", "MoComp", "Deblocking", "EncSlice", "EncPicture", "EncSliceLP", null,
        "VideoProc", "FEI", "Stats", "ProtectedTEEComm", "ProtectedContent",
    };

    static String profile(int profile) {
        if (profile == LibVa.VAProfileNone) {
            return "VAProfileNone";
        }
        return profile >= 0 && profile < PROFILES.length ? "VAProfile" + PROFILES[profile] : "VAProfile#" + profile;
    }

    static String entrypoint(int entrypoint) {
        return entrypoint > 0 && entrypoint < ENTRYPOINTS.length && ENTRYPOINTS[entrypoint] != null
                ? ENTRYPOINTS[entrypoint] : "entrypoint#" + entrypoint;
    }

    static String entrypoints(List<Integer> entrypoints) {
        StringJoiner j = new StringJoiner(", ");
        entrypoints.forEach(e -> j.add(entrypoint(e)));
        return j.toString();
    }

    static String rateControl(int bits) {
        if (bits == 0 || (bits & 0x80000000) != 0) {
            return "not reported";
        }
        StringJoiner j = new StringJoiner("|");
        String[] names = {"NONE", "CBR", "VBR", "VCM", "CQP", "VBR_CONSTRAINED", "ICQ", "MB", "CFS", "PARALLEL",
            "QVBR", "AVBR", "TCBRC"};
        for (int i = 0; i < names.length; i++) {
            if ((bits & (1 << i)) != 0) {
                j.add(names[i]);
            }
        }
        return j.toString();
    }
}
