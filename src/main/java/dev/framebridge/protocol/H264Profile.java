package dev.framebridge.protocol;

import java.util.Locale;

/**
 * The H.264 profiles framebridge encodes, by profile_idc (the number CONFIG_REQ carries and x264 reports) and by the
 * name x264 and the command line use. The one list every check, default and message is built from.
 */
public enum H264Profile {
    BASELINE(66),
    MAIN(77),
    HIGH(100);

    /** "66 (baseline), 77 (main) or 100 (high)", for messages. */
    public static final String CHOICES;
    /** "baseline, main or high", for messages about names. */
    public static final String NAMES;

    private static final H264Profile[] VALUES = values();

    static {
        StringBuilder choices = new StringBuilder();
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < VALUES.length; i++) {
            String sep = i == 0 ? "" : i == VALUES.length - 1 ? " or " : ", ";
            choices.append(sep).append(VALUES[i].idc).append(" (").append(VALUES[i].label()).append(')');
            names.append(sep).append(VALUES[i].label());
        }
        CHOICES = choices.toString();
        NAMES = names.toString();
    }

    private final int idc;

    H264Profile(int idc) {
        this.idc = idc;
    }

    /** profile_idc as in the SPS and in CONFIG_REQ. */
    public int idc() {
        return idc;
    }

    /** The lower-case name x264 takes ("baseline", "main", "high"). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The profile with this profile_idc, or null. Allocation-free. */
    public static H264Profile ofIdc(int idc) {
        for (H264Profile p : VALUES) {
            if (p.idc == idc) {
                return p;
            }
        }
        return null;
    }

    /** A name or a profile_idc as text ("main", "77"), case-insensitive; null when it is neither. */
    public static H264Profile parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (H264Profile p : VALUES) {
            if (p.label().equals(t) || Integer.toString(p.idc).equals(t)) {
                return p;
            }
        }
        return null;
    }
}
