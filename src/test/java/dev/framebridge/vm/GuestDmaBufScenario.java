package dev.framebridge.vm;

import static dev.framebridge.vm.GuestReport.check;
import static dev.framebridge.vm.GuestReport.millis;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.TestPattern;
import dev.framebridge.client.VirtioGpuDevice;
import dev.framebridge.client.VirtioGpuDevice.DumbBuffer;
import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.protocol.PoolResponseFlyweight;
import dev.framebridge.transport.Endpoint;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * Runs inside the test guest (scenario dmabuf): DMA-BUF pools end to end, with a real exporter. Virtio-gpu dumb
 * buffers (two, used in turn) are exported with PRIME_HANDLE_TO_FD and each DMA-BUF fd is passed to {@code serve}
 * (in the same guest, over a Unix socket) with REGISTER_POOL; frames are drawn by the CPU through the dumb buffers'
 * own mappings (MAP_DUMB, the buffer's pitch as the stride) and sent as FRAME_REFs naming a pool. serve maps each
 * DMA-BUF read-only and brackets its reads with DMA_BUF_IOCTL_SYNC (the scenario script counts those ioctls with the
 * kernel's syscall tracepoint). The access units are written to a file the host decodes (VmScenariosIT).
 * Arguments: FACTS_FILE ENDPOINT H264_OUT FRAMES.
 */
public final class GuestDmaBufScenario {
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final int BUFFERS = 2;

    private GuestDmaBufScenario() {
    }

    public static void main(String[] args) {
        GuestReport report = new GuestReport(Path.of(args[0]));
        report.run(() -> run(report, Endpoint.parse(args[1]), Path.of(args[2]), Integer.parseInt(args[3])));
    }

    private static void run(GuestReport report, Endpoint endpoint, Path h264, int frames) throws Exception {
        Errno errno = new Errno();
        try (VirtioGpuDevice gpu = VirtioGpuDevice.open(Path.of("/dev/dri/card0"));
             TestPattern pattern = new TestPattern(WIDTH, HEIGHT, PixelFormat.BGRA8888);
             HxfrClient client = HxfrClient.connect(endpoint, Duration.ofSeconds(60));
             OutputStream out = Files.newOutputStream(h264)) {
            check(gpu.version().name().equals("virtio_gpu"), "DRM_IOCTL_VERSION says " + gpu.version().name());
            HxfrClient.Hello hello = client.hello(Hxfr.CAP_POOL_FD | Hxfr.CAP_FRAME_REF);
            check(hello.grants(Hxfr.CAP_POOL_FD | Hxfr.CAP_FRAME_REF), "serve granted capabilities "
                    + hello.capabilities() + " on " + endpoint + ", not fd pools and FRAME_REF");

            DumbBuffer[] buffers = new DumbBuffer[BUFFERS];
            MemorySegment[] pixels = new MemorySegment[BUFFERS];
            int[] pools = new int[BUFFERS];
            for (int b = 0; b < BUFFERS; b++) {
                buffers[b] = gpu.createDumb(WIDTH, HEIGHT);
                pixels[b] = gpu.map(buffers[b]);
                int dmaBuf = gpu.exportDmaBuf(buffers[b].handle());
                try {
                    client.sendRegisterPool(dmaBuf, 0);
                    HxfrClient.Answer a = client.readAnswer();
                    check(a.type() == Hxfr.MSG_POOL_RESP, "REGISTER_POOL of the DMA-BUF of dumb buffer "
                            + buffers[b].handle() + " (resource " + gpu.resourceId(buffers[b].handle())
                            + ") was answered " + a);
                    PoolResponseFlyweight pool = new PoolResponseFlyweight().wrap(client.lastAnswerBytes(), 0);
                    check(pool.kind() == Hxfr.POOL_KIND_DMABUF, "serve registered the DMA-BUF as a pool of kind "
                            + Hxfr.poolKindName(pool.kind()) + ", not a DMA-BUF");
                    pools[b] = pool.poolId();
                    report.fact("buffer" + b + ".pool_bytes", pool.size());
                } finally {
                    LibC.close(errno, dmaBuf); // serve holds its own copy of the fd (SCM_RIGHTS)
                }
                report.fact("buffer" + b + ".resource_id", gpu.resourceId(buffers[b].handle()));
                report.fact("buffer" + b + ".pitch", buffers[b].pitch());
                report.fact("buffer" + b + ".pool", pools[b]);
            }

            long[] planeOffsets = {0};
            long[] drawNanos = new long[frames];
            long[] answerNanos = new long[frames];
            for (int n = 0; n < frames; n++) {
                int b = n % BUFFERS;
                long t0 = System.nanoTime();
                fill(pixels[b], buffers[b], pattern.frame(n), pattern.stride());
                long t1 = System.nanoTime();
                client.sendFrameRef(pools[b], 0, PixelFormat.BGRA8888, WIDTH, HEIGHT, planeOffsets,
                        new int[] {buffers[b].pitch()}, n, n == 0);
                HxfrClient.Answer a = client.readAnswer();
                answerNanos[n] = System.nanoTime() - t1;
                drawNanos[n] = t1 - t0;
                check(a.isFrame(), "frame " + n + " in the DMA-BUF pool " + pools[b] + " was answered " + a);
                check(a.pts() == n, "frame " + n + " was answered with pts " + a.pts());
                out.write(a.accessUnit().toArray(JAVA_BYTE));
            }
            for (int b = 0; b < BUFFERS; b++) {
                client.unregisterPool(pools[b]);
                gpu.unmap(pixels[b]);
                gpu.destroyDumb(buffers[b]);
            }
            Arrays.sort(drawNanos);
            Arrays.sort(answerNanos);
            report.fact("stream.width", WIDTH);
            report.fact("stream.height", HEIGHT);
            report.fact("stream.frames", frames);
            report.fact("stream.buffers", BUFFERS);
            report.fact("draw_ms_p50", millis(drawNanos[frames / 2]));
            report.fact("frame_ref_round_trip_ms_p50", millis(answerNanos[frames / 2]));
        }
    }

    /** Copies a tightly packed BGRA frame into a dumb buffer row by row (its pitch may be wider). */
    private static void fill(MemorySegment pixels, DumbBuffer buffer, MemorySegment frame, int frameStride) {
        for (int y = 0; y < buffer.height(); y++) {
            MemorySegment.copy(frame, (long) y * frameStride, pixels, (long) y * buffer.pitch(), frameStride);
        }
    }
}
