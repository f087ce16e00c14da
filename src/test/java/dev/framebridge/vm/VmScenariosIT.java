package dev.framebridge.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.framebridge.client.TestPattern;
import dev.framebridge.encode.Ffmpeg;
import dev.framebridge.frame.PixelFormat;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test guest (src/test/vm): one boot of Debian's kernel under QEMU's software emulation (TCG, no /dev/kvm)
 * runs every scenario; each test here asserts one scenario's verdict, which the harness writes from what the guest
 * reported through the shared work folder and what the host saw (QEMU's trace, serve's counters on the host) —
 * QEMU's own exit code says nothing. Streams the guest's Java client got back are decoded here, on the host, and
 * compared with the test pattern the guest drew.
 *
 * <p>Runs in {@code mvn verify} (failsafe, after the jar is built); needs the packages bin/install-deps installs
 * (qemu-system-x86, busybox-static, kmod, cpio) and, the first time, the Debian archive for the kernel package
 * (cached in ~/.cache/framebridge-vm after that). The work folder, with console and QEMU logs, is target/vm-it.
 */
class VmScenariosIT {
    /** -Dframebridge.vm.all: also the opt-in scenarios (nested: ~11 min more on a loaded 2-core machine). */
    private static final boolean WITH_NESTED = System.getProperty("framebridge.vm.all") != null;
    private static final long BOOT_TIMEOUT_S = WITH_NESTED ? 3600 : 1800;
    private static Path work;
    private static int harnessExit;
    private static String harnessOutput;

    @BeforeAll
    static void bootTheGuestOnce() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"),
                "the test guest is an x86-64 Linux VM built from Debian packages");
        Assumptions.assumeTrue(System.getProperty("test") == null || System.getProperty("it.test") != null,
                "a narrowed run (-Dtest=…) skips the VM scenarios; name them with -Dit.test=VmScenariosIT");
        Path base = Path.of(System.getProperty("framebridge.basedir", ".")).toAbsolutePath();
        Path build = Path.of(System.getProperty("framebridge.builddir", "target")).toAbsolutePath();
        work = build.resolve("vm-it");
        Path log = build.resolve("vm-it.log");
        List<String> command = new java.util.ArrayList<>(List.of(base.resolve("src/test/vm/run").toString(),
                "--work", work.toString(), "--timeout", Long.toString(BOOT_TIMEOUT_S)));
        if (WITH_NESTED) {
            command.add("--all");
        }
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(BOOT_TIMEOUT_S + 300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("src/test/vm/run did not end within " + (BOOT_TIMEOUT_S + 300) + " s; see " + log);
        }
        harnessExit = p.exitValue();
        harnessOutput = Files.readString(log);
        System.out.println(harnessOutput);
        Path timings = work.resolve("timings.txt");
        if (Files.exists(timings)) {
            System.out.println(Files.readString(timings));
        }
    }

    @Test
    void vsockServeAndProbeInsideTheGuestAndTheCidAllowList() throws IOException {
        Map<String, String> facts = assertPassed("vsock");
        assertTrue(facts.get("allowed.frame").contains("SPS/PPS in front"), facts.toString());
        assertEquals("8", facts.get("refused.probe_exit"), facts.toString());
    }

    @Test
    void virtioGpuResourceIdsFromJavaMatchWhatQemuCreatedAndTheirFramesAreRefusedClearly() throws Exception {
        Map<String, String> facts = assertPassed("gpu");
        assertEquals(facts.get("dumb.resource_id"), facts.get("prime.resource_id"), facts.toString());
        assertTrue(facts.get("resource_frame.answer").startsWith("ERROR -2 resource_id " + facts.get("dumb.resource_id")),
                facts.toString());

        // the pixels the guest sent in band over vsock came back as H.264 that decodes to them
        assertDecodesToTheTestPattern(facts, "gpu-stream.h264");
    }

    @Test
    void ivshmemFramesByReferenceFromTheGuestAreEncodedByServeOnTheHostFromItsOwnMapping() throws Exception {
        Map<String, String> facts = assertPassed("ivshmem");
        // every frame went by reference over the virtio-serial port, none in band
        assertEquals(facts.get("stream.frames"), facts.get("host.serve.frames_by_reference"), facts.toString());
        assertEquals("0", facts.get("host.serve.frames_in_band"), facts.toString());
        // what serve read in place in the region is what the guest wrote to BAR2
        assertDecodesToTheTestPattern(facts, "ivshmem-stream.h264");
    }

    @Test
    void dmaBufPoolsOfVirtioGpuDumbBuffersAreEncodedInPlaceWithEveryReadBracketedBySync() throws Exception {
        Map<String, String> facts = assertPassed("dmabuf");
        assertEquals(facts.get("stream.frames"), facts.get("serve.frames_by_reference"), facts.toString());
        assertEquals("0", facts.get("serve.frames_in_band"), facts.toString());
        int frames = Integer.parseInt(facts.get("stream.frames"));
        int buffers = Integer.parseInt(facts.get("stream.buffers"));
        // the kernel saw serve's DMA_BUF_IOCTL_SYNC pairs: one around each frame's read, one per registration
        assertEquals(Integer.toString(2 * frames + 2 * buffers), facts.get("kernel.dma_buf_sync_ioctls_by_serve"),
                facts.toString());
        assertDecodesToTheTestPattern(facts, "dmabuf-stream.h264");
    }

    @Test
    void nestedGuestStreamsToItsHostOverVhostVsockAndTheCidAllowListAcceptsOneCidAndRefusesAnother() throws Exception {
        Assumptions.assumeTrue(WITH_NESTED, "scenario nested is opt-in: -Dframebridge.vm.all (or src/test/vm/run nested)");
        Map<String, String> facts = assertPassed("nested");
        assertTrue(facts.get("allowed.serve_log").startsWith("client connected from vsock:3:"), facts.toString());
        assertEquals("1", facts.get("refused.client_exit"), facts.toString());
        assertTrue(facts.get("refused.client").contains("only from CIDs [4]"), facts.toString());

        // the inner guest's frames (BGRA, written beside the stream) against what this host decodes
        int width = Integer.parseInt(facts.get("stream.width"));
        int height = Integer.parseInt(facts.get("stream.height"));
        int frames = Integer.parseInt(facts.get("stream.frames"));
        byte[] sent = Files.readAllBytes(work.resolve("nested/results/nested-stream.bgra"));
        byte[] decoded = Ffmpeg.decode(work.resolve("nested/results/nested-stream.h264"), "yuv420p");
        int frameBytes = width * height * 3 / 2;
        assertEquals((long) frames * frameBytes, decoded.length, "decoded frames");
        assertEquals((long) frames * width * height * 4, sent.length, "frames the inner guest wrote");
        MemorySegment luma = MemorySegment.ofArray(new byte[width * height]);
        for (int n = 0; n < frames; n++) {
            for (int i = 0; i < width * height; i++) {
                int at = (n * width * height + i) * 4;
                int b = sent[at] & 0xFF;
                int g = sent[at + 1] & 0xFF;
                int r = sent[at + 2] & 0xFF;
                luma.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) ((66 * r + 129 * g + 25 * b + 0x1080) >> 8));
            }
            double psnr = lumaPsnr(luma, decoded, n * frameBytes, width * height);
            assertTrue(psnr >= 35, "nested frame " + n + " decodes at luma PSNR " + psnr + " dB (< 35)");
        }
    }

    /**
     * The stream the guest received decodes, on this host, to as many frames as it sent, each within 35 dB luma PSNR
     * of the test pattern it drew ({@link TestPattern} frame n; its I420 luma is the BT.601 luma of its BGRA).
     */
    private static void assertDecodesToTheTestPattern(Map<String, String> facts, String file) throws Exception {
        int width = Integer.parseInt(facts.get("stream.width"));
        int height = Integer.parseInt(facts.get("stream.height"));
        int frames = Integer.parseInt(facts.get("stream.frames"));
        Path h264 = work.resolve("results/" + file);
        byte[] decoded = Ffmpeg.decode(h264, "yuv420p");
        int frameBytes = width * height * 3 / 2;
        assertEquals((long) frames * frameBytes, decoded.length, "decoded frames of " + h264);
        double worst = 99;
        try (TestPattern reference = new TestPattern(width, height, PixelFormat.I420)) {
            for (int n = 0; n < frames; n++) {
                MemorySegment expected = reference.frame(n);
                double psnr = lumaPsnr(expected, decoded, n * frameBytes, width * height);
                assertTrue(psnr >= 35, file + " frame " + n + " decodes at luma PSNR " + psnr + " dB (< 35)");
                worst = Math.min(worst, psnr);
            }
        }
        System.out.printf(java.util.Locale.ROOT, "%s: %d frames %dx%d decoded, worst luma PSNR %.2f dB%n", file, frames,
                width, height, worst);
    }

    @Test
    void pushModeServeOnTheHostPushesTheFramesTheGuestDrawsAsH264ThatDecodesToThem() throws IOException {
        Map<String, String> facts = assertPassed("push");
        // every frame the guest drew on its scanout reached the host subscriber at PSNR >= 35 dB (push-host checks
        // each against TestPattern), each timed from QEMU's RESOURCE_FLUSH of it to its arrival
        assertEquals(facts.get("push.frames"), facts.get("host.frames_matched"), facts.toString());
        assertTrue(facts.containsKey("host.dirtyfb_to_push_ms_p50"), facts.toString());
        System.out.println("push: DIRTYFB (QEMU's RESOURCE_FLUSH) to pushed frame p50 "
                + facts.get("host.dirtyfb_to_push_ms_p50") + " ms, max " + facts.get("host.dirtyfb_to_push_ms_max")
                + " ms; PSNR per frame " + facts.get("host.frame_psnr_db"));
    }

    /** The scenario's verdict file says PASS; returns its facts. */
    private static Map<String, String> assertPassed(String scenario) throws IOException {
        Path result = work.resolve("results/" + scenario + ".result");
        if (!Files.exists(result)) {
            fail("no verdict for " + scenario + " (harness exit " + harnessExit + "):\n" + harnessOutput);
        }
        List<String> lines = Files.readAllLines(result, StandardCharsets.UTF_8);
        String verdict = lines.isEmpty() ? "(empty)" : lines.get(0);
        if (!verdict.startsWith("PASS")) {
            Path log = work.resolve("results/" + scenario + ".log");
            String tail = Files.exists(log) ? tail(Files.readAllLines(log, StandardCharsets.UTF_8), 40) : "(no log)";
            fail(scenario + ": " + verdict + "\n" + String.join("\n", lines) + "\n--- " + log + " (end):\n" + tail
                    + "\n--- console.log in " + work);
        }
        Map<String, String> facts = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                facts.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return facts;
    }

    private static double lumaPsnr(MemorySegment expected, byte[] actual, int offset, int pixels) {
        double sse = 0;
        for (int i = 0; i < pixels; i++) {
            int d = (expected.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) & 0xFF) - (actual[offset + i] & 0xFF);
            sse += d * d;
        }
        return sse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 * pixels / sse);
    }

    private static String tail(List<String> lines, int n) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
