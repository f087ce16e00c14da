package dev.framebridge.frame;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A named region of host memory that clients may register as a pool by name ({@code serve --region NAME=PATH[:SIZE]}),
 * for guests that cannot pass file descriptors: typically the file behind a QEMU {@code memory-backend-file} used by an
 * {@code ivshmem-plain} device, which the guest maps through the device's PCI BAR.
 *
 * @param name  1-31 characters of {@code [A-Za-z0-9._-]} (it travels in REGISTER_POOL's 32-byte field)
 * @param path  the file to map read-only
 * @param size  bytes to map; 0 for the whole file
 */
public record HostRegion(String name, Path path, long size) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,31}");
    private static final Pattern SPEC = Pattern.compile("([^=]*)=(.+?)(?::([0-9]+)([KkMmGg]?))?");

    public HostRegion {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("region name '" + name + "' must be 1-31 characters of A-Z a-z 0-9 . _ -");
        }
        if (size < 0) {
            throw new IllegalArgumentException("region size " + size + " must not be negative");
        }
    }

    /** Parses {@code NAME=PATH[:SIZE]}, SIZE in bytes or with a K, M or G suffix (powers of 1024). */
    public static HostRegion parse(String spec) {
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException("region '" + spec + "' is not NAME=PATH[:SIZE], e.g."
                    + " guest0=/dev/shm/guest0-ivshmem:64M");
        }
        long size = 0;
        if (m.group(3) != null) {
            size = Long.parseLong(m.group(3));
            int shift = switch (m.group(4).toUpperCase(Locale.ROOT)) {
                case "K" -> 10;
                case "M" -> 20;
                case "G" -> 30;
                default -> 0;
            };
            if (size > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException("region size in '" + spec + "' is too large");
            }
            size <<= shift;
        }
        return new HostRegion(m.group(1), Path.of(m.group(2)), size);
    }

    @Override
    public String toString() {
        return name + "=" + path + (size > 0 ? ":" + size : "");
    }
}
