package dev.framebridge.vm;

import static dev.framebridge.vm.GuestReport.check;
import static dev.framebridge.vm.GuestReport.millis;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.TestPattern;
import dev.framebridge.client.VirtioGpuDevice;
import dev.framebridge.client.VirtioGpuDevice.DumbBuffer;
import dev.framebridge.client.VirtioGpuDevice.Output;
import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.VirtioGpu;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.ErrorCode;
import dev.framebridge.transport.Endpoint;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs inside the test guest (scenario gpu): the guest side of virtio-gpu from Java, through
 * {@link VirtioGpuDevice} (FFM ioctls, no libdrm), and the Java client on AF_VSOCK.
 * <ol>
 *   <li>DRM_IOCTL_VERSION on /dev/dri/card0 says virtio_gpu;</li>
 *   <li>a dumb buffer, mapped and filled with the test pattern; VIRTGPU_RESOURCE_INFO gives its resource id
 *       (src/test/vm/run checks that QEMU created exactly that resource, at that size);</li>
 *   <li>PRIME: the handle exported as a DMA-BUF and imported again gives the same handle and resource id; imported
 *       into a second DRM file (the render node) it gives that file's own handle for the same resource id;
 *       the DMA-BUF mmaps to the same pixels;</li>
 *   <li>a second dumb buffer the size of the output's mode, put on the scanout with ADDFB / SETCRTC and flushed
 *       with DIRTYFB (QEMU's trace shows the scanout set to that resource and flushed);</li>
 *   <li>over vsock to {@code serve} in the same guest: the buffer's pixels in band (H.264 back, written to a file
 *       the host decodes), then a FRAME_REQUEST carrying the resource id instead of pixels, answered with
 *       RESOURCE_NOT_FOUND — the host cannot see guest GPU memory through a socket — and the connection goes on.</li>
 * </ol>
 * Arguments: FACTS_FILE ENDPOINT H264_OUT FRAMES.
 */
public final class GuestGpuScenario {
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;

    private GuestGpuScenario() {
    }

    public static void main(String[] args) {
        GuestReport report = new GuestReport(Path.of(args[0]));
        report.run(() -> run(report, Endpoint.parse(args[1]), Path.of(args[2]), Integer.parseInt(args[3])));
    }

    private static void run(GuestReport report, Endpoint endpoint, Path h264, int frames) throws Exception {
        try (VirtioGpuDevice gpu = VirtioGpuDevice.open(Path.of("/dev/dri/card0"));
             TestPattern pattern = new TestPattern(WIDTH, HEIGHT, PixelFormat.BGRA8888)) {
            report.fact("drm.version", gpu.version());
            check(gpu.version().name().equals("virtio_gpu"), "DRM_IOCTL_VERSION says " + gpu.version().name());
            report.fact("virtgpu.3d_features", gpu.param(VirtioGpu.VIRTGPU_PARAM_3D_FEATURES));
            report.fact("virtgpu.capset_query_fix", gpu.param(VirtioGpu.VIRTGPU_PARAM_CAPSET_QUERY_FIX));

            // --- a dumb buffer and its resource id
            DumbBuffer dumb = gpu.createDumb(WIDTH, HEIGHT);
            check(dumb.pitch() >= WIDTH * 4 && dumb.size() >= (long) dumb.pitch() * HEIGHT,
                    "MODE_CREATE_DUMB gave pitch " + dumb.pitch() + " and size " + dumb.size() + " for " + WIDTH + "x" + HEIGHT);
            MemorySegment pixels = gpu.map(dumb);
            fill(pixels, dumb, pattern.frame(0), pattern.stride());
            VirtioGpuDevice.ResourceInfo info = gpu.resourceInfo(dumb.handle());
            report.fact("dumb.handle", dumb.handle());
            report.fact("dumb.resource_id", info.resourceId());
            report.fact("dumb.width", WIDTH);
            report.fact("dumb.height", HEIGHT);
            report.fact("dumb.pitch", dumb.pitch());
            report.fact("dumb.size", dumb.size());
            check(info.resourceId() > 0, "VIRTGPU_RESOURCE_INFO gave resource id " + info.resourceId());
            check(info.size() == dumb.size(), "VIRTGPU_RESOURCE_INFO says " + info.size()
                    + " bytes, MODE_CREATE_DUMB said " + dumb.size());

            // --- PRIME round trip, in this file and into another DRM file
            int dmaBuf = gpu.exportDmaBuf(dumb.handle());
            int again = gpu.importDmaBuf(dmaBuf);
            check(again == dumb.handle(), "PRIME_FD_TO_HANDLE of our own DMA-BUF gave handle " + again
                    + ", not " + dumb.handle());
            check(gpu.resourceId(again) == info.resourceId(), "the re-imported handle names another resource");
            int renderHandle;
            int renderResource;
            try (VirtioGpuDevice render = VirtioGpuDevice.open(Path.of("/dev/dri/renderD128"))) {
                renderHandle = render.importDmaBuf(dmaBuf);
                renderResource = render.resourceId(renderHandle);
                render.closeHandle(renderHandle);
            }
            report.fact("prime.dma_buf_fd", dmaBuf);
            report.fact("prime.render_node_handle", renderHandle);
            report.fact("prime.resource_id", renderResource);
            check(renderResource == info.resourceId(), "the DMA-BUF imported on renderD128 names resource "
                    + renderResource + ", the dumb buffer is resource " + info.resourceId());
            check(sameBytesThroughDmaBuf(dmaBuf, pixels), "the DMA-BUF's mmap does not show the dumb buffer's pixels");
            report.fact("prime.mmap_matches", true);

            // --- a frame on the scanout
            Output output = gpu.firstConnectedOutput();
            DumbBuffer screen = gpu.createDumb(output.width(), output.height());
            MemorySegment screenPixels = gpu.map(screen);
            try (TestPattern big = new TestPattern(output.width(), output.height(), PixelFormat.BGRA8888)) {
                fill(screenPixels, screen, big.frame(0), big.stride());
            }
            int fb = gpu.addFramebuffer(screen);
            gpu.show(output, fb);
            long flushStart = System.nanoTime();
            int flushes = 10;
            for (int i = 0; i < flushes; i++) {
                gpu.flush(fb, 0, 0, screen.width(), screen.height());
            }
            long flushNanos = (System.nanoTime() - flushStart) / flushes;
            int screenResource = gpu.resourceId(screen.handle());
            report.fact("scanout.resource_id", screenResource);
            report.fact("scanout.width", output.width());
            report.fact("scanout.height", output.height());
            report.fact("scanout.mode", output.modeName() + "@" + output.refresh());
            report.fact("scanout.crtc", output.crtcId());
            report.fact("scanout.connector", output.connectorId());
            report.fact("scanout.fb", fb);
            report.fact("scanout.dirtyfb_ms", millis(flushNanos));
            check(screenResource != info.resourceId(), "two dumb buffers share resource id " + screenResource);

            // --- HXFR over vsock: pixels in band, then the resource id
            stream(report, endpoint, h264, frames, pattern, pixels, dumb, info.resourceId());

            LibC.close(new Errno(), dmaBuf);
            gpu.removeFramebuffer(fb);
        }
    }

    private static void stream(GuestReport report, Endpoint endpoint, Path h264, int frames, TestPattern pattern,
                               MemorySegment pixels, DumbBuffer dumb, int resourceId) throws Exception {
        Duration timeout = Duration.ofSeconds(60);
        try (HxfrClient client = HxfrClient.connect(endpoint, timeout);
             OutputStream out = Files.newOutputStream(h264)) {
            long start = System.nanoTime();
            for (int n = 0; n < frames; n++) {
                fill(pixels, dumb, pattern.frame(n), pattern.stride());
                client.sendFrame(pixels, (long) dumb.pitch() * dumb.height(), dumb.width(), dumb.height(),
                        PixelFormat.BGRA8888, dumb.pitch(), n * 33_333_333L, n == 0);
                HxfrClient.Answer a = client.readAnswer();
                check(a.isFrame(), "frame " + n + " over " + endpoint + " was answered with " + a);
                check(a.pts() == n * 33_333_333L, "frame " + n + ": pts " + a.pts() + " not echoed");
                Channels.newChannel(out).write(a.accessUnit().asByteBuffer());
            }
            long streamNanos = System.nanoTime() - start;
            report.fact("stream.endpoint", endpoint);
            report.fact("stream.frames", frames);
            report.fact("stream.width", dumb.width());
            report.fact("stream.height", dumb.height());
            report.fact("stream.fps", String.format(java.util.Locale.ROOT, "%.1f", frames / (streamNanos / 1e9)));

            client.sendResourceFrame(resourceId, dumb.width(), dumb.height(), PixelFormat.BGRA8888, dumb.pitch(),
                    frames * 33_333_333L, false);
            HxfrClient.Answer refused = client.readAnswer();
            report.fact("resource_frame.answer", refused);
            check(refused.isError() && refused.errorCode() == ErrorCode.RESOURCE_NOT_FOUND,
                    "a FRAME_REQUEST with resource_id " + resourceId + " was answered with " + refused
                            + ", not ERROR RESOURCE_NOT_FOUND");
            check(refused.errorMessage().contains("resource_id " + resourceId),
                    "the RESOURCE_NOT_FOUND message does not name resource_id " + resourceId + ": " + refused.errorMessage());

            // the connection goes on, in order
            client.sendFrame(pixels, (long) dumb.pitch() * dumb.height(), dumb.width(), dumb.height(),
                    PixelFormat.BGRA8888, dumb.pitch(), -7, false);
            HxfrClient.Answer after = client.readAnswer();
            check(after.isFrame() && after.pts() == -7, "after RESOURCE_NOT_FOUND the next frame got " + after);
        }
    }

    /** Copies a tightly packed BGRA frame into a dumb buffer row by row (its pitch may be wider). */
    private static void fill(MemorySegment pixels, DumbBuffer buffer, MemorySegment frame, int frameStride) {
        for (int y = 0; y < buffer.height(); y++) {
            MemorySegment.copy(frame, (long) y * frameStride, pixels, (long) y * buffer.pitch(), frameStride);
        }
    }

    private static boolean sameBytesThroughDmaBuf(int dmaBuf, MemorySegment pixels) {
        Errno e = new Errno();
        MemorySegment at = LibC.mmap(e, pixels.byteSize(), LibC.PROT_READ, LibC.MAP_SHARED, dmaBuf, 0);
        check(at.address() != LibC.MAP_FAILED, "mmap of the DMA-BUF failed: errno " + Errno.name(e.get()));
        MemorySegment view = at.reinterpret(pixels.byteSize());
        try {
            return view.mismatch(pixels) == -1;
        } finally {
            LibC.munmap(e, at, pixels.byteSize());
        }
    }
}
