package dev.framebridge.vm;

import static dev.framebridge.vm.GuestReport.check;
import static dev.framebridge.vm.GuestReport.millis;

import dev.framebridge.client.TestPattern;
import dev.framebridge.client.VirtioGpuDevice;
import dev.framebridge.client.VirtioGpuDevice.DumbBuffer;
import dev.framebridge.client.VirtioGpuDevice.Output;
import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs inside the test guest (scenario push): draws known frames on the virtio-gpu scanout from Java
 * ({@link VirtioGpuDevice}: a dumb buffer the size of the output's mode, ADDFB, SETCRTC, then per frame the
 * {@link TestPattern} frame 100 + n written into the buffer and DIRTYFB over all of it). The host's {@code serve
 * --qemu-display}, attached to this VM's QEMU, pushes what QEMU's D-Bus display shows to a host subscriber, which
 * checks the H.264 against the same frames and times each one from QEMU's RESOURCE_FLUSH (src/test/vm/push-host).
 * Waits for the host subscriber (file push-host-ready in the work share) before drawing, so no frame is missed.
 * Arguments: FACTS_FILE WORK_DIR FRAMES INTERVAL_MS.
 */
public final class GuestPushScenario {
    /**
     * The first TestPattern frame drawn: scenario gpu leaves frame 0 on the same scanout earlier in the boot, so the
     * frames here are ones nothing else draws.
     */
    static final int FIRST_PATTERN = 100;

    private GuestPushScenario() {
    }

    public static void main(String[] args) {
        GuestReport report = new GuestReport(Path.of(args[0]));
        report.run(() -> run(report, Path.of(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3])));
    }

    private static void run(GuestReport report, Path work, int frames, long intervalMs) throws Exception {
        Path ready = work.resolve("push-host-ready");
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (!Files.exists(ready) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        check(Files.exists(ready), "the host subscriber never wrote push-host-ready (see push-host.log on the host)");
        try (VirtioGpuDevice gpu = VirtioGpuDevice.open(Path.of("/dev/dri/card0"))) {
            Output output = gpu.firstConnectedOutput();
            DumbBuffer screen = gpu.createDumb(output.width(), output.height());
            MemorySegment pixels = gpu.map(screen);
            int fb = gpu.addFramebuffer(screen);
            report.fact("push.width", output.width());
            report.fact("push.height", output.height());
            report.fact("push.mode", output.modeName() + "@" + output.refresh());
            report.fact("push.resource_id", gpu.resourceId(screen.handle()));
            try (TestPattern pattern = new TestPattern(output.width(), output.height(), PixelFormat.BGRA8888)) {
                fill(pixels, screen, pattern.frame(FIRST_PATTERN), pattern.stride());
                gpu.show(output, fb);
                long flushNanos = 0;
                for (int n = 0; n < frames; n++) {
                    long drawn = System.nanoTime();
                    fill(pixels, screen, pattern.frame(FIRST_PATTERN + n), pattern.stride());
                    long t = System.nanoTime();
                    gpu.flush(fb, 0, 0, screen.width(), screen.height());
                    flushNanos += System.nanoTime() - t;
                    long left = intervalMs - (System.nanoTime() - drawn) / 1_000_000L;
                    if (left > 0) {
                        Thread.sleep(left); // each frame stays long enough to be pushed on its own
                    }
                }
                report.fact("push.frames", frames);
                report.fact("push.first_pattern", FIRST_PATTERN);
                report.fact("push.interval_ms", intervalMs);
                report.fact("push.dirtyfb_ms", millis(flushNanos / frames));
            }
            Files.writeString(work.resolve("push-guest-done"), "done\n");
            gpu.removeFramebuffer(fb);
        }
    }

    /** Copies a tightly packed BGRA frame into a dumb buffer row by row (its pitch may be wider). */
    private static void fill(MemorySegment pixels, DumbBuffer buffer, MemorySegment frame, int frameStride) {
        for (int y = 0; y < buffer.height(); y++) {
            MemorySegment.copy(frame, (long) y * frameStride, pixels, (long) y * buffer.pitch(), frameStride);
        }
    }
}
