package dev.framebridge.encode;

import dev.framebridge.encode.avcodec.AvcodecBackend;
import dev.framebridge.encode.avcodec.AvcodecCodec;
import dev.framebridge.encode.vaapi.RenderNodes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The backends this build implements, and the choice among them. {@code auto} walks the known backends in order of
 * preference — VideoToolbox, then on Linux VA-API, NVENC and Quick Sync (all through libavcodec), then x264 — and
 * takes the first that is usable here, which means: its libraries load, its device says it can encode H.264, and a
 * real test encode of a small picture comes out right ({@link EncoderProbe}). The report has one line per backend:
 * chosen, or skipped with the exact reason.
 *
 * <p>{@code libx264} (x264 through libavcodec, the path the GPU encoders share) can be asked for by name; auto uses
 * x264 directly, which hands frames to x264 without libavcodec's copy.
 */
public final class EncoderRegistry {
    public static final String AUTO = "auto";

    /** A backend the project knows, with the operating system it needs (null = any) and its other names. */
    private record Known(String name, String os, boolean inAuto, List<String> aliases) {
    }

    /** In auto's order of preference. */
    private static final List<Known> KNOWN = List.of(
            new Known(AvcodecCodec.H264_VIDEOTOOLBOX.encoderName(), "Mac OS X", true, List.of("videotoolbox")),
            new Known(AvcodecCodec.H264_VAAPI.encoderName(), "Linux", true, List.of("vaapi")),
            new Known(AvcodecCodec.H264_NVENC.encoderName(), "Linux", true, List.of("nvenc")),
            new Known(AvcodecCodec.H264_QSV.encoderName(), "Linux", true, List.of("qsv")),
            new Known(X264Encoder.NAME, null, true, List.of()),
            new Known(AvcodecCodec.LIBX264.encoderName(), null, false, List.of()));

    /** What {@link #select} returns: the backend and one line per backend considered. */
    public record Selection(EncoderBackend backend, List<String> report) {
        public Selection {
            report = List.copyOf(report);
        }
    }

    private final Map<String, EncoderBackend> registered = new LinkedHashMap<>();
    private final String osName;

    /** The backends implemented in this build. */
    public static EncoderRegistry standard() {
        return standard(RenderNodes.DEFAULT_DIRECTORY);
    }

    /** The same, looking for VA-API render nodes under {@code driDirectory}. */
    public static EncoderRegistry standard(Path driDirectory) {
        List<EncoderBackend> backends = new ArrayList<>();
        for (AvcodecCodec codec : AvcodecCodec.values()) {
            backends.add(new AvcodecBackend(codec, driDirectory, AvcodecBackend.NVIDIA_CONTROL));
        }
        backends.add(new X264Backend());
        return new EncoderRegistry(backends, System.getProperty("os.name"));
    }

    EncoderRegistry(List<EncoderBackend> backends, String osName) {
        for (EncoderBackend b : backends) {
            if (KNOWN.stream().noneMatch(k -> k.name().equals(b.name()))) {
                throw new IllegalArgumentException("backend " + b.name() + " is not one of the known backends "
                        + KNOWN.stream().map(Known::name).toList());
            }
            registered.put(b.name(), b);
        }
        this.osName = osName;
    }

    /** Names accepted by {@link #select}: auto and the registered backends (aliases are accepted too). */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(AUTO);
        for (Known k : KNOWN) {
            if (registered.containsKey(k.name())) {
                names.add(k.name());
            }
        }
        return names;
    }

    /**
     * @param name {@code auto}, a backend name or an alias ({@code vaapi}, {@code nvenc}, {@code qsv},
     *             {@code videotoolbox})
     * @throws IllegalArgumentException for a name that is not a backend at all (listing the valid ones)
     * @throws EncoderException when the named backend (or, for auto, every backend) cannot run here, saying why
     */
    public Selection select(String name) throws EncoderException {
        String wanted = name.toLowerCase(Locale.ROOT).trim();
        if (wanted.equals(AUTO)) {
            return selectAuto();
        }
        Known known = KNOWN.stream().filter(k -> k.name().equals(wanted) || k.aliases().contains(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown encoder '" + name + "': valid names are "
                        + String.join(", ", names())));
        String skip = skipReason(known);
        if (skip != null) {
            throw new EncoderException("encoder " + known.name() + " cannot be used: " + skip
                    + "; valid names on this build are " + String.join(", ", names()));
        }
        return new Selection(registered.get(known.name()), List.of(known.name() + ": chosen (asked for by name;"
                + " test encode passed)"));
    }

    /** One backend's standing on this host: usable (test encode passed) or why not; whether auto considers it. */
    public record Status(String name, String skipReason, boolean inAuto) {
        public boolean usable() {
            return skipReason == null;
        }
    }

    /** Every known backend checked as auto checks it (test encode included), in auto's order; for diagnostics. */
    public List<Status> statuses() {
        List<Status> all = new ArrayList<>();
        for (Known known : KNOWN) {
            all.add(new Status(known.name(), skipReason(known), known.inAuto()));
        }
        return all;
    }

    private Selection selectAuto() throws EncoderException {
        List<String> report = new ArrayList<>();
        EncoderBackend chosen = null;
        for (Known known : KNOWN) {
            if (!known.inAuto()) {
                continue;
            }
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

    /** Null when the backend can run here (test encode included); otherwise why not. */
    private String skipReason(Known known) {
        if (known.os() != null && !known.os().equals(osName)) {
            return "not this OS (" + known.name() + " needs " + displayOs(known.os()) + ", this is " + osName + ")";
        }
        EncoderBackend backend = registered.get(known.name());
        if (backend == null) {
            return "not implemented on this build";
        }
        String reason = backend.unavailableReason();
        if (reason != null) {
            return "library missing or unusable: " + reason;
        }
        String device = backend.deviceProblem();
        if (device != null) {
            return device;
        }
        return EncoderProbe.testEncode(backend);
    }

    private static String displayOs(String os) {
        return os.equals("Mac OS X") ? "macOS" : os;
    }
}
