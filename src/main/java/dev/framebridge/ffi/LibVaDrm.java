package dev.framebridge.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libva's DRM backend ({@code libva-drm.so.2}): a VADisplay on an open DRM render node, without X or Wayland.
 * Its prototype is checked by {@code native-build/probes/va.c}.
 */
public final class LibVaDrm {
    private LibVaDrm() {
    }

    public static final String SONAME = "libva-drm.so.2";
    public static final String DEBIAN_PACKAGE = "libva-drm2";

    private static final class Library {
        static final NativeLibraries.Loaded LOADED = NativeLibraries.loadChecked(SONAME, DEBIAN_PACKAGE, null,
                lookup -> null);
    }

    /** Null when libva-drm (and libva) are loadable here; otherwise what to install. */
    public static String unavailableReason() {
        String va = LibVa.unavailableReason();
        return va != null ? va : Library.LOADED.problem();
    }

    public static void requireAvailable() {
        LibVa.requireAvailable();
        Library.LOADED.require();
    }

    private static final class Handles {
        static final MethodHandle vaGetDisplayDRM;

        static {
            requireAvailable();
            vaGetDisplayDRM = NativeLibraries.downcall(Library.LOADED.lookup(), SONAME, "vaGetDisplayDRM",
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
        }
    }

    /** {@code VADisplay vaGetDisplayDRM(int fd)}: 0 when the fd is not a DRM device libva can use. */
    public static long vaGetDisplayDRM(int fd) {
        try {
            return (long) Handles.vaGetDisplayDRM.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }
}
