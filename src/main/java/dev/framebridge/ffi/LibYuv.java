package dev.framebridge.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libyuv colour conversion over FFM. libyuv names formats by word order, the reverse of memory order:
 * libyuv "ARGB" is bytes B,G,R,A in memory (DRM ARGB8888, our {@code BGRA8888}); "ABGR" is bytes R,G,B,A
 * (DRM ABGR8888, our {@code RGBA8888}). The conversions are BT.601 limited range ("studio swing").
 *
 * <p>{@code native-build/probes/yuv.c} assigns each bound function to a pointer of the C type these descriptors
 * mirror, so a changed signature or a renamed symbol fails the probe build; {@link #SYMBOLS} is checked against
 * its output. All functions return 0 on success, -1 on invalid arguments.
 */
public final class LibYuv {
    private LibYuv() {
    }

    public static final String SONAME = "libyuv.so.0";
    public static final String DEBIAN_PACKAGE = "libyuv0";
    public static final String BREW_FORMULA = "libyuv";

    /** Every function this class binds, as the probe names them. */
    public static final List<String> SYMBOLS = List.of(
            "ARGBToNV12", "ABGRToNV12", "ARGBToI420", "ABGRToI420", "I420ToARGB", "I420ToABGR");

    private static final class Library {
        static final NativeLibraries.Loaded LOADED = NativeLibraries.loadChecked(SONAME, DEBIAN_PACKAGE, BREW_FORMULA,
                lookup -> {
                    for (String symbol : SYMBOLS) {
                        NativeLibraries.symbol(lookup, SONAME, symbol);
                    }
                    return null;
                });
    }

    /** Null when libyuv is usable here; otherwise what to install. */
    public static String unavailableReason() {
        return Library.LOADED.problem();
    }

    public static void requireAvailable() {
        Library.LOADED.require();
    }

    private static final class Handles {
        /** (src, src_stride, y, y_stride, uv, uv_stride, width, height). */
        private static final FunctionDescriptor TO_NV12 = FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT);
        /** (src, src_stride, y, y_stride, u, u_stride, v, v_stride, width, height); also the I420→RGB shape. */
        private static final FunctionDescriptor THREE_PLANES = FunctionDescriptor.of(JAVA_INT,
                ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT);

        /**
         * The same, with the three pointers passed as 64-bit integers: a band of a frame is then an address and a
         * length, not a slice object per call. (A pointer and a 64-bit integer travel in the same registers on the
         * 64-bit ABIs we run on, SysV x86-64 and AAPCS64.)
         */
        private static final FunctionDescriptor TO_NV12_AT = FunctionDescriptor.of(JAVA_INT,
                JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);

        static final MethodHandle ARGBToNV12 = link("ARGBToNV12", TO_NV12);
        static final MethodHandle ABGRToNV12 = link("ABGRToNV12", TO_NV12);
        static final MethodHandle ARGBToNV12_AT = link("ARGBToNV12", TO_NV12_AT);
        static final MethodHandle ABGRToNV12_AT = link("ABGRToNV12", TO_NV12_AT);
        static final MethodHandle ARGBToI420 = link("ARGBToI420", THREE_PLANES);
        static final MethodHandle ABGRToI420 = link("ABGRToI420", THREE_PLANES);
        static final MethodHandle I420ToARGB = link("I420ToARGB", THREE_PLANES);
        static final MethodHandle I420ToABGR = link("I420ToABGR", THREE_PLANES);

        private static MethodHandle link(String name, FunctionDescriptor descriptor) {
            requireAvailable();
            return NativeLibraries.downcall(Library.LOADED.lookup(), SONAME, name, descriptor);
        }
    }

    /** B,G,R,A bytes (DRM ARGB8888) → NV12. */
    public static int ARGBToNV12(MemorySegment src, int srcStride, MemorySegment y, int yStride,
                                 MemorySegment uv, int uvStride, int width, int height) {
        try {
            return (int) Handles.ARGBToNV12.invokeExact(src, srcStride, y, yStride, uv, uvStride, width, height);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** R,G,B,A bytes (DRM ABGR8888) → NV12. */
    public static int ABGRToNV12(MemorySegment src, int srcStride, MemorySegment y, int yStride,
                                 MemorySegment uv, int uvStride, int width, int height) {
        try {
            return (int) Handles.ABGRToNV12.invokeExact(src, srcStride, y, yStride, uv, uvStride, width, height);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** B,G,R,A bytes → NV12, planes at native addresses (allocation-free for bands of a frame). */
    public static int ARGBToNV12(long src, int srcStride, long y, int yStride, long uv, int uvStride, int width,
                                 int height) {
        try {
            return (int) Handles.ARGBToNV12_AT.invokeExact(src, srcStride, y, yStride, uv, uvStride, width, height);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** R,G,B,A bytes → NV12, planes at native addresses. */
    public static int ABGRToNV12(long src, int srcStride, long y, int yStride, long uv, int uvStride, int width,
                                 int height) {
        try {
            return (int) Handles.ABGRToNV12_AT.invokeExact(src, srcStride, y, yStride, uv, uvStride, width, height);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** B,G,R,A bytes → I420. */
    public static int ARGBToI420(MemorySegment src, int srcStride, MemorySegment y, int yStride, MemorySegment u,
                                 int uStride, MemorySegment v, int vStride, int width, int height) {
        try {
            return (int) Handles.ARGBToI420.invokeExact(src, srcStride, y, yStride, u, uStride, v, vStride, width, height);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** R,G,B,A bytes → I420. */
    public static int ABGRToI420(MemorySegment src, int srcStride, MemorySegment y, int yStride, MemorySegment u,
                                 int uStride, MemorySegment v, int vStride, int width, int height) {
        try {
            return (int) Handles.ABGRToI420.invokeExact(src, srcStride, y, yStride, u, uStride, v, vStride, width, height);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** I420 → B,G,R,A bytes. */
    public static int I420ToARGB(MemorySegment y, int yStride, MemorySegment u, int uStride, MemorySegment v,
                                 int vStride, MemorySegment dst, int dstStride, int width, int height) {
        try {
            return (int) Handles.I420ToARGB.invokeExact(y, yStride, u, uStride, v, vStride, dst, dstStride, width, height);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** I420 → R,G,B,A bytes. */
    public static int I420ToABGR(MemorySegment y, int yStride, MemorySegment u, int uStride, MemorySegment v,
                                 int vStride, MemorySegment dst, int dstStride, int width, int height) {
        try {
            return (int) Handles.I420ToABGR.invokeExact(y, yStride, u, uStride, v, vStride, dst, dstStride, width, height);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }
}
