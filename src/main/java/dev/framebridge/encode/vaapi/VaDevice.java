package dev.framebridge.encode.vaapi;

import dev.framebridge.ffi.Errno;
import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.LibVa;
import dev.framebridge.ffi.LibVaDrm;
import dev.framebridge.ffi.NativeLibraryMissing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A VA-API display on one DRM render node, opened with libva directly: {@code open(node)}, {@code vaGetDisplayDRM},
 * {@code vaInitialize}. Every step that can fail says which step and why, with the fix where one is known, so a
 * probe line can tell "no render node" from "the driver would not initialise" from "this GPU decodes only".
 *
 * <p>The h264_vaapi encoder is built on this display (so a DMA-BUF imported here, {@link VaDmaBufImport}, is a
 * surface of the encoder's own device). Close it after everything made on it.
 */
public final class VaDevice implements AutoCloseable {
    private final Path node;
    private final int fd;
    private final long display;
    private final int majorVersion;
    private final int minorVersion;
    private boolean closed;

    private VaDevice(Path node, int fd, long display, int major, int minor) {
        this.node = node;
        this.fd = fd;
        this.display = display;
        this.majorVersion = major;
        this.minorVersion = minor;
    }

    /** A VA step failed; the message names the node, the step and the cause. */
    public static final class VaDeviceException extends Exception {
        private static final long serialVersionUID = 1L;

        public VaDeviceException(String message) {
            super(message);
        }
    }

    /** Opens and initialises the display on {@code node} (e.g. /dev/dri/renderD128). */
    public static VaDevice open(Path node) throws VaDeviceException {
        try {
            LibVaDrm.requireAvailable();
        } catch (NativeLibraryMissing e) {
            throw new VaDeviceException("libva unusable: " + e.getMessage());
        }
        Errno errno = new Errno();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = LibC.open(errno, arena.allocateFrom(node.toString()), LibC.O_RDWR | LibC.O_CLOEXEC);
        }
        if (fd < 0) {
            int e = errno.get();
            String hint = e == LibC.EACCES || e == LibC.EPERM
                    ? " — add this user to the group that owns it (usually 'render': sudo usermod -aG render $USER)"
                    : "";
            throw new VaDeviceException("cannot open " + node + ": " + errno.exception("open").getMessage() + hint);
        }
        boolean ok = false;
        try {
            long display = LibVaDrm.vaGetDisplayDRM(fd);
            if (display == 0) {
                throw new VaDeviceException("vaGetDisplayDRM gave no display for " + node
                        + ": it is not a DRM device libva can use");
            }
            LibVa.vaSetInfoCallback(display, MemorySegment.NULL, MemorySegment.NULL); // no "libva info:" lines
            int major;
            int minor;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ma = arena.allocate(JAVA_INT);
                MemorySegment mi = arena.allocate(JAVA_INT);
                int status = LibVa.vaInitialize(display, ma, mi);
                if (status != LibVa.VA_STATUS_SUCCESS) {
                    LibVa.vaTerminate(display);
                    throw new VaDeviceException("vaInitialize error on " + node + ": " + LibVa.vaErrorStr(status)
                            + " (VA status " + status + ") — the GPU has no VA-API driver installed or LIBVA_DRIVER_NAME"
                            + " names the wrong one (Intel: intel-media-va-driver; AMD: mesa-va-drivers)");
                }
                major = ma.get(JAVA_INT, 0);
                minor = mi.get(JAVA_INT, 0);
            }
            ok = true;
            return new VaDevice(node, fd, display, major, minor);
        } finally {
            if (!ok) {
                LibC.close(errno, fd);
            }
        }
    }

    public Path node() {
        return node;
    }

    /** The {@code VADisplay} handle. */
    public long display() {
        return display;
    }

    /** The VA-API version the driver reported from vaInitialize, e.g. "1.17". */
    public String version() {
        return majorVersion + "." + minorVersion;
    }

    /** Lists profiles and entrypoints, and picks the H.264 encode pair and its rate-control modes. */
    public VaCapabilities capabilities() throws VaDeviceException {
        requireOpen();
        String vendor = LibVa.vaQueryVendorString(display);
        Map<Integer, List<Integer>> profiles = new LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            int maxProfiles = Math.max(1, LibVa.vaMaxNumProfiles(display));
            int maxEntrypoints = Math.max(1, LibVa.vaMaxNumEntrypoints(display));
            MemorySegment list = arena.allocate(JAVA_INT, maxProfiles);
            MemorySegment count = arena.allocate(JAVA_INT);
            check(LibVa.vaQueryConfigProfiles(display, list, count), "vaQueryConfigProfiles");
            MemorySegment eps = arena.allocate(JAVA_INT, maxEntrypoints);
            for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                int profile = list.getAtIndex(JAVA_INT, i);
                MemorySegment n = arena.allocate(JAVA_INT);
                if (LibVa.vaQueryConfigEntrypoints(display, profile, eps, n) != LibVa.VA_STATUS_SUCCESS) {
                    continue;
                }
                List<Integer> entrypoints = new ArrayList<>();
                for (int k = 0; k < n.get(JAVA_INT, 0); k++) {
                    entrypoints.add(eps.getAtIndex(JAVA_INT, k));
                }
                profiles.put(profile, List.copyOf(entrypoints));
            }
            int h264Profile = LibVa.VAProfileNone;
            int h264Entrypoint = 0;
            for (int p : List.of(LibVa.VAProfileH264High, LibVa.VAProfileH264Main, LibVa.VAProfileH264ConstrainedBaseline)) {
                List<Integer> e = profiles.get(p);
                if (e == null) {
                    continue;
                }
                if (e.contains(LibVa.VAEntrypointEncSliceLP)) {
                    h264Entrypoint = LibVa.VAEntrypointEncSliceLP;
                } else if (e.contains(LibVa.VAEntrypointEncSlice)) {
                    h264Entrypoint = LibVa.VAEntrypointEncSlice;
                }
                if (h264Entrypoint != 0) {
                    h264Profile = p;
                    break;
                }
            }
            int rateControl = 0;
            if (h264Entrypoint != 0) {
                MemorySegment attrib = arena.allocate(LibVa.VAConfigAttrib.sizeof(), 4);
                attrib.set(JAVA_INT, LibVa.VAConfigAttrib.type$OFFSET, LibVa.VAConfigAttribRateControl);
                if (LibVa.vaGetConfigAttributes(display, h264Profile, h264Entrypoint, attrib, 1) == LibVa.VA_STATUS_SUCCESS) {
                    rateControl = attrib.get(JAVA_INT, LibVa.VAConfigAttrib.value$OFFSET);
                }
            }
            return new VaCapabilities(vendor, profiles, h264Profile, h264Entrypoint, rateControl);
        }
    }

    private void check(int status, String call) throws VaDeviceException {
        if (status != LibVa.VA_STATUS_SUCCESS) {
            throw new VaDeviceException(call + " failed on " + node + ": " + LibVa.vaErrorStr(status) + " (VA status "
                    + status + ")");
        }
    }

    void requireOpen() throws VaDeviceException {
        if (closed) {
            throw new VaDeviceException("the VA display on " + node + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibVa.vaTerminate(display);
        LibC.close(new Errno(), fd);
    }
}
