package dev.framebridge.vm;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.TestPattern;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.transport.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host side of scenario push (src/test/vm/push-host): subscribes to scanout 1 of the host's {@code serve
 * --qemu-display}, which is attached to the test guest's QEMU, and records every pushed frame with its arrival
 * time; says it is ready through the work share (push-host-ready) so the guest starts drawing. When the guest is
 * done it checks what came: the H.264 decodes (ffmpeg) and each of the guest's known frames (TestPattern frame
 * push.first_pattern + n)
 * arrived at luma PSNR ≥ 35 dB; each frame's latency is its first arrival minus the QEMU trace's timestamp of the
 * last RESOURCE_FLUSH of the guest's scanout resource before it (QEMU handling the guest's DIRTYFB, host clock).
 * Writes the verdict to WORK/results/push.host: PASS or FAIL: why, then facts.
 * Arguments: SOCKET WORK_DIR.
 */
public final class PushHostSubscriber {
    private static final double MIN_PSNR = 35;

    private PushHostSubscriber() {
    }

    record Arrival(long epochMicros, boolean keyframe, byte[] accessUnit) {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[1]);
        Path verdict = work.resolve("results/push.host");
        List<String> facts = new ArrayList<>();
        String failure;
        try {
            failure = run(Endpoint.parse("unix:" + args[0]), work, facts);
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            failure = e.toString();
        }
        StringBuilder out = new StringBuilder(failure == null ? "PASS" : "FAIL: " + failure.replace('\n', ' ')).append('\n');
        for (String f : facts) {
            out.append(f).append('\n');
        }
        Files.writeString(verdict, out.toString(), StandardCharsets.UTF_8);
        System.out.print(out);
        System.exit(0);
    }

    private static String run(Endpoint endpoint, Path work, List<String> facts) throws Exception {
        Path h264 = work.resolve("results/push.h264");
        List<Arrival> arrivals = new ArrayList<>();
        try (HxfrClient client = HxfrClient.connect(endpoint, Duration.ofSeconds(120));
             OutputStream out = Files.newOutputStream(h264)) {
            if (!client.subscribe(1)) {
                return "serve refused SUBSCRIBE to scanout 1 (see push-serve.log)";
            }
            client.sendBitrate(20_000_000); // CONFIG_REQ on the subscribed connection: the shared encode's bitrate
            Files.writeString(work.resolve("push-host-ready"), "subscribed\n");
            Path done = work.resolve("push-guest-done");
            long quietSince = System.nanoTime();
            long deadline = System.nanoTime() + 1_500_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (!client.socket().awaitReadable(500)) {
                    if (Files.exists(done) && System.nanoTime() - quietSince > 5_000_000_000L) {
                        break; // the guest drew its last frame and nothing more came for 5 s
                    }
                    continue;
                }
                HxfrClient.Answer a = client.readAnswer();
                Instant at = Instant.now();
                if (a.isError()) {
                    facts.add("host.push_ended=" + a.errorMessage());
                    break;
                }
                if (!a.isFrame()) {
                    return "serve pushed " + a + " instead of FRAME_RESPONSE";
                }
                arrivals.add(new Arrival(at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000, a.keyframe(),
                        a.accessUnit().toArray(ValueLayout.JAVA_BYTE)));
                Channels.newChannel(out).write(a.accessUnit().asByteBuffer());
                quietSince = System.nanoTime();
            }
        }
        facts.add("host.pushed_frames=" + arrivals.size());
        if (arrivals.isEmpty()) {
            return "nothing was pushed";
        }
        facts.add("host.first_pushed_keyframe=" + arrivals.get(0).keyframe());
        Map<String, String> guest = guestFacts(work.resolve("results/push.facts"));
        if (!guest.containsKey("push.frames")) {
            return "the guest reported no push.frames (did it draw? see results/push.log)";
        }
        int width = Integer.parseInt(guest.get("push.width"));
        int height = Integer.parseInt(guest.get("push.height"));
        int frames = Integer.parseInt(guest.get("push.frames"));
        int resource = Integer.parseInt(guest.get("push.resource_id"));
        int firstPattern = Integer.parseInt(guest.getOrDefault("push.first_pattern", "0"));

        // Before the guest set its mode the console had another size (the firmware's, fbcon's): a new size starts
        // with an IDR, so the frames of the guest's size are decoded on their own, from the last size change on.
        List<Ffmpeg.Frame> probed = Ffmpeg.probe(h264);
        if (probed.size() != arrivals.size()) {
            return "ffprobe found " + probed.size() + " frames in the " + arrivals.size() + " pushed";
        }
        int from = probed.size();
        while (from > 0 && probed.get(from - 1).width() == width && probed.get(from - 1).height() == height) {
            from--;
        }
        facts.add("host.frames_before_the_guests_mode=" + from);
        if (from == probed.size()) {
            return "no pushed frame has the guest's size " + width + "x" + height;
        }
        Path tail = work.resolve("results/push-" + width + "x" + height + ".h264");
        try (OutputStream out = Files.newOutputStream(tail)) {
            for (Arrival a : arrivals.subList(from, arrivals.size())) {
                out.write(a.accessUnit());
            }
        }
        arrivals = arrivals.subList(from, arrivals.size());
        byte[] decoded = Ffmpeg.decode(tail, "yuv420p");
        int frameBytes = width * height * 3 / 2;
        int decodedFrames = decoded.length / frameBytes;
        facts.add("host.decoded_frames=" + decodedFrames);
        if (decodedFrames != arrivals.size()) {
            return "ffmpeg decoded " + decodedFrames + " frames of " + width + "x" + height + " from " + arrivals.size()
                    + " pushed at that size (undecodable frames)";
        }
        double[] best = new double[frames];
        int[] firstArrival = new int[frames];
        java.util.Arrays.fill(firstArrival, -1);
        try (TestPattern reference = new TestPattern(width, height, PixelFormat.I420)) {
            for (int i = 0; i < decodedFrames; i++) {
                int closest = -1;
                double closestPsnr = 0;
                for (int n = 0; n < frames; n++) {
                    double psnr = lumaPsnr(reference.frame(firstPattern + n), decoded, i * frameBytes, width * height);
                    if (psnr > closestPsnr) {
                        closest = n;
                        closestPsnr = psnr;
                    }
                }
                // a pushed frame is the guest's frame n when n is the known frame it decodes closest to
                if (closest >= 0 && closestPsnr >= MIN_PSNR && firstArrival[closest] < 0) {
                    firstArrival[closest] = i;
                }
                if (closest >= 0) {
                    best[closest] = Math.max(best[closest], closestPsnr);
                }
            }
        }
        List<Long> flushes = flushTimes(work.resolve("qemu-trace.log"), resource);
        facts.add("host.flushes_traced=" + flushes.size());
        List<Double> latencies = new ArrayList<>();
        StringBuilder psnrs = new StringBuilder();
        String missing = null;
        for (int n = 0; n < frames; n++) {
            psnrs.append(n == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", best[n]));
            if (firstArrival[n] < 0) {
                missing = missing == null ? "frame " + n : missing + ", " + n;
                continue;
            }
            long arrived = arrivals.get(firstArrival[n]).epochMicros();
            long flushed = -1;
            for (long f : flushes) {
                if (f <= arrived) {
                    flushed = f;
                }
            }
            if (flushed > 0) {
                latencies.add((arrived - flushed) / 1000.0);
            }
        }
        facts.add("host.frame_psnr_db=" + psnrs);
        if (!latencies.isEmpty()) {
            List<Double> sorted = new ArrayList<>(latencies);
            sorted.sort(null);
            facts.add(String.format(Locale.ROOT, "host.dirtyfb_to_push_ms_p50=%.1f", sorted.get(sorted.size() / 2)));
            facts.add(String.format(Locale.ROOT, "host.dirtyfb_to_push_ms_max=%.1f", sorted.get(sorted.size() - 1)));
            facts.add("host.dirtyfb_to_push_ms=" + latencies.stream()
                    .map(d -> String.format(Locale.ROOT, "%.1f", d)).reduce((a, b) -> a + "," + b).orElse(""));
        }
        facts.add("host.frames_matched=" + (frames - (missing == null ? 0 : missing.split(",").length)));
        if (missing != null) {
            return "no pushed frame decodes to the guest's " + missing + " at ≥ " + MIN_PSNR + " dB (best per frame: "
                    + psnrs + ")";
        }
        if (latencies.size() != frames) {
            return "QEMU's trace has no RESOURCE_FLUSH of resource " + resource + " before some pushed frames";
        }
        return null;
    }

    private static Map<String, String> guestFacts(Path file) throws IOException {
        Map<String, String> m = new HashMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    m.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return m;
    }

    /** Host-clock times (epoch µs) of QEMU's RESOURCE_FLUSH of {@code resource}, from the trace (-msg timestamp=on). */
    static List<Long> flushTimes(Path trace, int resource) throws IOException {
        Pattern p = Pattern.compile("^\\d+@(\\d+)\\.(\\d{6}):virtio_gpu_cmd_res_flush res 0x"
                + Integer.toHexString(resource) + ",");
        List<Long> times = new ArrayList<>();
        for (String line : Files.readAllLines(trace, StandardCharsets.ISO_8859_1)) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                times.add(Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2)));
            }
        }
        return times;
    }

    private static double lumaPsnr(MemorySegment expected, byte[] actual, int offset, int pixels) {
        double sse = 0;
        for (int i = 0; i < pixels; i++) {
            int d = (expected.get(ValueLayout.JAVA_BYTE, i) & 0xFF) - (actual[offset + i] & 0xFF);
            sse += d * d;
        }
        return sse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 * pixels / sse);
    }
}
