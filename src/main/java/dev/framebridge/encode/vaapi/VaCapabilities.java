package dev.framebridge.encode.vaapi;

import dev.framebridge.ffi.LibVa;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a VA-API device says it can do, as libva lists it: the driver's vendor string, every profile with its
 * entrypoints, and for the H.264 encode entrypoint framebridge would use, the rate-control modes it supports.
 *
 * @param vendor          {@code vaQueryVendorString}
 * @param profiles        profile → entrypoints, in libva's order
 * @param h264Profile     the H.264 profile with an encode entrypoint (High, else Main, else Constrained Baseline),
 *                        or {@link LibVa#VAProfileNone}
 * @param h264Entrypoint  EncSliceLP when offered (the low-power fixed-function encoder Sunshine prefers), else
 *                        EncSlice; 0 when there is none
 * @param rateControl     VA_RC_* bits of that pair (0 when unknown)
 */
public record VaCapabilities(String vendor, Map<Integer, List<Integer>> profiles, int h264Profile, int h264Entrypoint,
                             int rateControl) {

    public VaCapabilities {
        profiles = Map.copyOf(profiles);
    }

    public boolean encodesH264() {
        return h264Entrypoint != 0;
    }

    public boolean lowPower() {
        return h264Entrypoint == LibVa.VAEntrypointEncSliceLP;
    }

    public boolean supportsCbr() {
        return (rateControl & LibVa.VA_RC_CBR) != 0;
    }

    public boolean supportsVbr() {
        return (rateControl & LibVa.VA_RC_VBR) != 0;
    }

    /** Why this device cannot encode H.264, or null when it can. */
    public String h264Problem() {
        if (!encodesH264()) {
            List<String> h264 = new ArrayList<>();
            for (int p : List.of(LibVa.VAProfileH264High, LibVa.VAProfileH264Main, LibVa.VAProfileH264ConstrainedBaseline)) {
                List<Integer> eps = profiles.get(p);
                if (eps != null) {
                    h264.add(VaNames.profile(p) + " (" + VaNames.entrypoints(eps) + ")");
                }
            }
            return "no H.264 entrypoint: the driver (" + vendor + ") offers no EncSlice or EncSliceLP for H.264"
                    + (h264.isEmpty() ? " and no H.264 profile at all" : "; it has " + String.join(", ", h264)
                    + ", i.e. decode only");
        }
        if (!supportsCbr() && !supportsVbr()) {
            return "the H.264 encoder offers neither CBR nor VBR rate control (" + VaNames.rateControl(rateControl)
                    + "), which framebridge's real-time recipe needs";
        }
        return null;
    }

    /** One line per profile, for {@code framebridge encoders}. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("driver: " + vendor);
        profiles.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                lines.add(VaNames.profile(e.getKey()) + ": " + VaNames.entrypoints(e.getValue())));
        if (encodesH264()) {
            lines.add("H.264 encoding: " + VaNames.profile(h264Profile) + " on " + VaNames.entrypoint(h264Entrypoint)
                    + ", rate control " + VaNames.rateControl(rateControl));
        }
        return lines;
    }
}
