package dev.framebridge.encode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The backends this build implements, and the choice among them. {@code auto} walks the known backends in order of
 * preference — VideoToolbox, VA-API, x264 — and takes the first registered one that is usable here; the report says
 * for every known backend whether it was chosen or why it was skipped.
 *
 * <p>Only implemented backends are registered: VA-API and VideoToolbox are known (so their absence can be
 * explained) but not registered until their issues land.
 */
public final class EncoderRegistry {
    public static final String AUTO = "auto";

    /** A backend the project plans, with the operating system it needs (null = any). */
    private record Known(String name, String os) {
    }

    /** In auto's order of preference. */
    private static final List<Known> KNOWN = List.of(
            new Known("videotoolbox", "Mac OS X"),
            new Known("vaapi", "Linux"),
            new Known(X264Encoder.NAME, null));

    /** What {@link #select} returns: the backend and one line per known backend. */
    public record Selection(EncoderBackend backend, List<String> report) {
        public Selection {
            report = List.copyOf(report);
        }
    }

    private final Map<String, EncoderBackend> registered = new LinkedHashMap<>();
    private final String osName;

    /** The backends implemented in this build. */
    public static EncoderRegistry standard() {
        return new EncoderRegistry(List.of(new X264Backend()), System.getProperty("os.name"));
    }

    EncoderRegistry(List<EncoderBackend> backends, String osName) {
        for (EncoderBackend b : backends) {
            if (KNOWN.stream().noneMatch(k -> k.name().equals(b.name()))) {
                throw new IllegalArgumentException("backend " + b.name() + " is not one of the known backends "
                        + knownNames());
            }
            registered.put(b.name(), b);
        }
        this.osName = osName;
    }

    /** Names accepted by {@link #select}: auto and the registered backends. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(AUTO);
        names.addAll(registered.keySet());
        return names;
    }

    /**
     * @param name {@code auto} or a backend name
     * @throws IllegalArgumentException for a name that is not a backend at all (listing the valid ones)
     * @throws EncoderException when the named backend (or, for auto, every backend) cannot run here, saying why
     */
    public Selection select(String name) throws EncoderException {
        String wanted = name.toLowerCase(Locale.ROOT).trim();
        if (wanted.equals(AUTO)) {
            return selectAuto();
        }
        Known known = KNOWN.stream().filter(k -> k.name().equals(wanted)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("unknown encoder '" + name + "': valid names are "
                        + String.join(", ", names()) + notImplementedSuffix()));
        String skip = skipReason(known);
        if (skip != null) {
            throw new EncoderException("encoder " + known.name() + " cannot be used: " + skip
                    + "; valid names on this build are " + String.join(", ", names()));
        }
        EncoderBackend backend = registered.get(known.name());
        return new Selection(backend, List.of(known.name() + ": chosen (asked for by name)"));
    }

    private Selection selectAuto() throws EncoderException {
        List<String> report = new ArrayList<>();
        EncoderBackend chosen = null;
        for (Known known : KNOWN) {
            if (chosen != null) {
                report.add(known.name() + ": not tried (" + chosen.name() + " was chosen first)");
                continue;
            }
            String skip = skipReason(known);
            if (skip == null) {
                chosen = registered.get(known.name());
                report.add(known.name() + ": chosen");
            } else {
                report.add(known.name() + ": skipped — " + skip);
            }
        }
        if (chosen == null) {
            throw new EncoderException("no encoder can run on this host:\n  " + String.join("\n  ", report));
        }
        return new Selection(chosen, report);
    }

    /** Null when the backend can run here; otherwise why not. */
    private String skipReason(Known known) {
        if (known.os() != null && !known.os().equals(osName)) {
            return "not this OS (" + known.name() + " needs " + displayOs(known.os()) + ", this is " + osName + ")";
        }
        EncoderBackend backend = registered.get(known.name());
        if (backend == null) {
            return "not implemented on this build";
        }
        String reason = backend.unavailableReason();
        return reason == null ? null : "library missing or unusable: " + reason;
    }

    private String notImplementedSuffix() {
        List<String> missing = new ArrayList<>();
        for (Known k : KNOWN) {
            if (!registered.containsKey(k.name())) {
                missing.add(k.name());
            }
        }
        return missing.isEmpty() ? "" : " (" + String.join(", ", missing) + ": not implemented on this build)";
    }

    private static String knownNames() {
        return KNOWN.stream().map(Known::name).toList().toString();
    }

    private static String displayOs(String os) {
        return os.equals("Mac OS X") ? "macOS" : os;
    }
}
