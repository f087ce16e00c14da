package dev.framebridge.vm;

import static dev.framebridge.vm.GuestReport.check;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static dev.framebridge.vm.GuestReport.millis;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.TestPattern;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.NativeSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Runs inside the test guest (scenario ivshmem): frames by reference from a guest to {@code serve} on the host.
 * The guest writes 1080p BGRA frames into BAR2 of an ivshmem-plain device — the same memory as the host file
 * {@code serve --region ivshmem=/dev/shm/…} maps — and sends HELLO, REGISTER_POOL naming that region, and one
 * FRAME_REF per frame over a virtio-serial port, whose other end QEMU connects to serve's Unix socket. No pixel
 * crosses the port: serve encodes from its own mapping of the bytes the guest wrote. The access units that come back
 * are written to a file the host decodes (VmScenariosIT, PSNR against the same test pattern).
 *
 * <p>No driver: the PCI device (1af4:1110) is enabled through sysfs and {@code resource2} mapped as a file; the
 * port is {@code /dev/vportNpM} named {@value #PORT_NAME} (no udev, so no /dev/virtio-ports link).
 * Arguments: FACTS_FILE FRAMES H264_OUT.
 */
public final class GuestIvshmemScenario {
    private static final String IVSHMEM_VENDOR = "0x1af4";
    private static final String IVSHMEM_DEVICE = "0x1110";
    private static final String PORT_NAME = "framebridge";
    /** The name src/test/vm/run gives the backing file in {@code serve --region}. */
    private static final String REGION = "ivshmem";
    private static final int WIDTH = 1920;
    private static final int HEIGHT = 1080;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private GuestIvshmemScenario() {
    }

    public static void main(String[] args) {
        GuestReport report = new GuestReport(Path.of(args[0]));
        report.run(() -> run(report, Integer.parseInt(args[1]), Path.of(args[2])));
    }

    private static void run(GuestReport report, int frames, Path h264) throws Exception {
        Path device = findPciDevice();
        report.fact("ivshmem.pci", device.getFileName());
        Files.writeString(device.resolve("enable"), "1");
        Path port = findVirtioPort();
        report.fact("virtio_serial.port", port);
        try (Arena arena = Arena.ofShared();
             FileChannel barFile = FileChannel.open(device.resolve("resource2"), StandardOpenOption.READ,
                     StandardOpenOption.WRITE);
             TestPattern pattern = new TestPattern(WIDTH, HEIGHT, PixelFormat.BGRA8888);
             HxfrClient client = HxfrClient.over(NativeSocket.openStreamDevice(port), TIMEOUT);
             OutputStream out = Files.newOutputStream(h264)) {
            long size = barFile.size();
            report.fact("ivshmem.bar2_bytes", size);
            MemorySegment bar2 = barFile.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            long frameBytes = pattern.frameBytes();
            int slots = (int) (size / frameBytes);
            check(slots >= 2, "BAR2 of " + size + " bytes holds fewer than two " + WIDTH + "x" + HEIGHT + " frames");

            HxfrClient.Hello hello = client.hello(Hxfr.CAP_POOL_REGION | Hxfr.CAP_FRAME_REF);
            report.fact("hello.capabilities", hello.capabilities());
            report.fact("hello.encoder", hello.encoder());
            check(hello.grants(Hxfr.CAP_POOL_REGION | Hxfr.CAP_FRAME_REF), "serve granted capabilities "
                    + hello.capabilities() + " over the virtio-serial port, not region pools and FRAME_REF: was it"
                    + " started with --region " + REGION + "=…?");
            int pool = client.registerRegion(REGION, size);
            report.fact("pool.id", pool);

            long[] planeOffsets = {0};
            int[] strides = {pattern.stride()};
            long[] copyNanos = new long[frames];
            long[] answerNanos = new long[frames];
            long h264Bytes = 0;
            int keyframes = 0;
            for (int n = 0; n < frames; n++) {
                // each frame in its own slot until they wrap: the host reads the slot named, not the last one written
                long offset = (n % slots) * frameBytes;
                long t0 = System.nanoTime();
                MemorySegment.copy(pattern.frame(n), 0, bar2, offset, frameBytes);
                long t1 = System.nanoTime();
                client.sendFrameRef(pool, offset, PixelFormat.BGRA8888, WIDTH, HEIGHT, planeOffsets, strides, n, n == 0);
                HxfrClient.Answer answer = client.readAnswer();
                answerNanos[n] = System.nanoTime() - t1;
                copyNanos[n] = t1 - t0;
                check(answer.isFrame(), "frame " + n + " at offset " + offset + " of the region was answered " + answer);
                check(answer.pts() == n, "frame " + n + " was answered with pts " + answer.pts());
                keyframes += answer.keyframe() ? 1 : 0;
                byte[] au = answer.accessUnit().toArray(JAVA_BYTE);
                out.write(au);
                h264Bytes += au.length;
            }
            client.unregisterPool(pool);
            Arrays.sort(copyNanos);
            Arrays.sort(answerNanos);
            report.fact("stream.width", WIDTH);
            report.fact("stream.height", HEIGHT);
            report.fact("stream.frames", frames);
            report.fact("stream.format", "BGRA8888");
            report.fact("stream.h264_bytes", h264Bytes);
            report.fact("stream.keyframes", keyframes);
            report.fact("bar2_copy_ms_p50", millis(copyNanos[frames / 2]));
            report.fact("frame_ref_round_trip_ms_p50", millis(answerNanos[frames / 2]));
        }
    }

    private static Path findPciDevice() throws IOException {
        try (Stream<Path> devices = Files.list(Path.of("/sys/bus/pci/devices"))) {
            for (Path d : devices.sorted().toList()) {
                if (read(d.resolve("vendor")).equals(IVSHMEM_VENDOR) && read(d.resolve("device")).equals(IVSHMEM_DEVICE)) {
                    return d;
                }
            }
        }
        throw new AssertionError("no ivshmem PCI device (" + IVSHMEM_VENDOR + ":" + IVSHMEM_DEVICE + ") in the guest:"
                + " QEMU needs -object memory-backend-file,…,share=on -device ivshmem-plain,memdev=…");
    }

    /** /dev/vportNpM named "framebridge" (no udev here, so no /dev/virtio-ports/NAME link). */
    private static Path findVirtioPort() throws IOException {
        Path ports = Path.of("/sys/class/virtio-ports");
        if (Files.isDirectory(ports)) {
            try (Stream<Path> list = Files.list(ports)) {
                for (Path p : list.toList()) {
                    if (read(p.resolve("name")).equals(PORT_NAME)) {
                        return Path.of("/dev").resolve(p.getFileName().toString());
                    }
                }
            }
        }
        throw new AssertionError("no virtio-serial port named " + PORT_NAME + " (virtio_console loaded? QEMU needs"
                + " -device virtio-serial-pci … -device virtserialport,chardev=…,name=" + PORT_NAME + ")");
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p).trim() : "";
    }
}
