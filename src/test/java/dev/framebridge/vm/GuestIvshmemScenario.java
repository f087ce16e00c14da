package dev.framebridge.vm;

import static dev.framebridge.vm.GuestReport.check;
import static dev.framebridge.vm.GuestReport.millis;

import dev.framebridge.client.TestPattern;
import dev.framebridge.frame.PixelFormat;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Runs inside the test guest (scenario ivshmem): 1080p BGRA frames written into an ivshmem-plain device's BAR2, and
 * for each one a line to the host over a virtio-serial port — {@code frame N OFFSET LENGTH CRC32C} — answered by
 * {@code IvshmemHostPeer}, which checksums the same bytes in its own mapping of the backing file while the guest
 * waits: {@code seen N CRC32C}. Matching sums prove the host sees the guest's writes as they happen, with no copy.
 * This is the transport by-reference frames will use (the request names a region instead of carrying pixels);
 * the FRAME_REQUEST part waits for by-reference frames (issue 10).
 *
 * <p>No driver: the PCI device (1af4:1110) is enabled through sysfs and {@code resource2} mapped as a file.
 * Arguments: FACTS_FILE FRAMES.
 */
public final class GuestIvshmemScenario {
    private static final String IVSHMEM_VENDOR = "0x1af4";
    private static final String IVSHMEM_DEVICE = "0x1110";
    private static final String PORT_NAME = "framebridge";
    private static final int WIDTH = 1920;
    private static final int HEIGHT = 1080;

    private GuestIvshmemScenario() {
    }

    public static void main(String[] args) {
        GuestReport report = new GuestReport(Path.of(args[0]));
        report.run(() -> run(report, Integer.parseInt(args[1])));
    }

    private static void run(GuestReport report, int frames) throws Exception {
        Path device = findPciDevice();
        report.fact("ivshmem.pci", device.getFileName());
        Files.writeString(device.resolve("enable"), "1");
        Path bar2 = device.resolve("resource2");
        Path port = findVirtioPort();
        report.fact("virtio_serial.port", port);
        try (Arena arena = Arena.ofShared();
             FileChannel barFile = FileChannel.open(bar2, StandardOpenOption.READ, StandardOpenOption.WRITE);
             TestPattern pattern = new TestPattern(WIDTH, HEIGHT, PixelFormat.BGRA8888);
             RandomAccessFile serial = new RandomAccessFile(port.toFile(), "rw")) {
            long size = barFile.size();
            report.fact("ivshmem.bar2_bytes", size);
            MemorySegment region = barFile.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            long frameBytes = pattern.frameBytes();
            int slots = (int) (size / frameBytes);
            check(slots >= 2, "BAR2 of " + size + " bytes holds fewer than two " + WIDTH + "x" + HEIGHT + " frames");
            long[] copyNanos = new long[frames];
            long[] answerNanos = new long[frames];
            CRC32C crc = new CRC32C();
            for (int n = 0; n < frames; n++) {
                long offset = (n % slots) * frameBytes;
                MemorySegment frame = pattern.frame(n);
                long t0 = System.nanoTime();
                MemorySegment.copy(frame, 0, region, offset, frameBytes);
                long t1 = System.nanoTime();
                crc.reset();
                crc.update(region.asSlice(offset, frameBytes).asByteBuffer());
                long sum = crc.getValue();
                long t2 = System.nanoTime();
                serial.write(String.format(Locale.ROOT, "frame %d %d %d %08x\n", n, offset, frameBytes, sum)
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = serial.readLine();
                answerNanos[n] = System.nanoTime() - t2;
                copyNanos[n] = t1 - t0;
                check(answer != null, "the host closed the virtio-serial port after " + n + " frames");
                String expected = String.format(Locale.ROOT, "seen %d %08x", n, sum);
                check(answer.equals(expected), "frame " + n + ": the host read different bytes from the shared"
                        + " file than the guest wrote to BAR2: it says \"" + answer + "\", expected \"" + expected + "\"");
            }
            serial.write("done\n".getBytes(StandardCharsets.US_ASCII));
            Arrays.sort(copyNanos);
            Arrays.sort(answerNanos);
            report.fact("frames", frames + " x " + WIDTH + "x" + HEIGHT + " bgra (" + frameBytes + " bytes)");
            report.fact("bar2_copy_ms_p50", millis(copyNanos[frames / 2]));
            report.fact("host_check_round_trip_ms_p50", millis(answerNanos[frames / 2]));
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
