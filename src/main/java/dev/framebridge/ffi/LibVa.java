package dev.framebridge.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libva (VA-API 1.x, {@code libva.so.2}) over FFM: initialising a display, listing what it can do (profiles,
 * entrypoints, rate-control modes) and importing a DMA-BUF as a surface (DRM PRIME). The display itself comes from
 * {@link LibVaDrm#vaGetDisplayDRM} on an open render node.
 *
 * <p>Every constant, size and offset here is printed from the installed {@code va/va.h}, {@code va_drmcommon.h}
 * and {@code drm_fourcc.h} by {@code native-build/probes/va.c} and compared by {@code LibVaLayoutTest}. The probe
 * names the members of an array element without brackets: {@code VADRMPRIMESurfaceDescriptor.object.fd} is
 * {@code objects[0].fd}, and {@code object1} is {@code objects[1]} (its offset gives the stride).
 */
public final class LibVa {
    private LibVa() {
    }

    public static final String SONAME = "libva.so.2";
    public static final String DEBIAN_PACKAGE = "libva2";

    // va.h / va_drmcommon.h / drm_fourcc.h constants (checked by LibVaLayoutTest).
    public static final int VA_MAJOR_VERSION = 1;
    public static final int VA_MINOR_VERSION = 17;
    public static final int VA_STATUS_SUCCESS = 0;
    public static final int VA_STATUS_ERROR_UNSUPPORTED_PROFILE = 12;
    public static final int VA_STATUS_ERROR_UNSUPPORTED_ENTRYPOINT = 13;
    public static final long VA_INVALID_SURFACE = 0xFFFFFFFFL;
    public static final long VA_ATTRIB_NOT_SUPPORTED = 0x80000000L;
    public static final int VAProfileNone = -1;
    public static final int VAProfileH264Main = 6;
    public static final int VAProfileH264High = 7;
    public static final int VAProfileH264ConstrainedBaseline = 13;
    public static final int VAEntrypointVLD = 1;
    public static final int VAEntrypointEncSlice = 6;
    public static final int VAEntrypointEncSliceLP = 8;
    public static final int VAConfigAttribRTFormat = 0;
    public static final int VAConfigAttribRateControl = 5;
    public static final int VA_RC_CBR = 0x2;
    public static final int VA_RC_VBR = 0x4;
    public static final int VA_RC_CQP = 0x10;
    public static final int VA_RT_FORMAT_YUV420 = 0x1;
    public static final int VA_FOURCC_NV12 = 0x3231564E;
    public static final int VASurfaceAttribPixelFormat = 1;
    public static final int VASurfaceAttribMemoryType = 6;
    public static final int VASurfaceAttribExternalBufferDescriptor = 7;
    public static final int VA_SURFACE_ATTRIB_SETTABLE = 0x2;
    public static final int VAGenericValueTypeInteger = 1;
    public static final int VAGenericValueTypePointer = 3;
    public static final int VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME = 0x20000000;
    public static final int VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2 = 0x40000000;
    public static final int DRM_FORMAT_NV12 = 0x3231564E;
    public static final int DRM_FORMAT_R8 = 0x20203852;
    public static final int DRM_FORMAT_GR88 = 0x38385247;
    public static final long DRM_FORMAT_MOD_LINEAR = 0;

    /** Scalar C types passed by value ({@code VAProfile}, {@code VAEntrypoint} are enums; the others uint32/int). */
    public static final class Types {
        private Types() {
        }

        public static final long VAProfile$SIZEOF = 4;
        public static final long VAEntrypoint$SIZEOF = 4;
        public static final long VASurfaceID$SIZEOF = 4;
        public static final long VAStatus$SIZEOF = 4;
    }

    /** {@code VAConfigAttrib}: one attribute asked of a profile/entrypoint pair. */
    public static final class VAConfigAttrib {
        private VAConfigAttrib() {
        }

        private static final long SIZEOF = 8;

        public static long sizeof() {
            return SIZEOF;
        }

        public static final ValueLayout.OfInt type$LAYOUT = JAVA_INT;
        public static final long type$OFFSET = 0;
        /** {@code uint32_t value}: a bit set, or {@link #VA_ATTRIB_NOT_SUPPORTED}. */
        public static final ValueLayout.OfInt value$LAYOUT = JAVA_INT;
        public static final long value$OFFSET = 4;
    }

    /** {@code VASurfaceAttrib} with its {@code VAGenericValue value}. */
    public static final class VASurfaceAttrib {
        private VASurfaceAttrib() {
        }

        private static final long SIZEOF = 24;

        public static long sizeof() {
            return SIZEOF;
        }

        public static final ValueLayout.OfInt type$LAYOUT = JAVA_INT;
        public static final long type$OFFSET = 0;
        public static final ValueLayout.OfInt flags$LAYOUT = JAVA_INT;
        public static final long flags$OFFSET = 4;
        public static final ValueLayout.OfInt value$type$LAYOUT = JAVA_INT;
        public static final long value$type$OFFSET = 8;
        public static final ValueLayout.OfInt value$value$i$LAYOUT = JAVA_INT;
        public static final long value$value$i$OFFSET = 16;
        /** {@code void *p}, written as a raw address. */
        public static final ValueLayout.OfLong value$value$p$LAYOUT = JAVA_LONG;
        public static final long value$value$p$OFFSET = 16;
    }

    /** {@code VASurfaceAttribExternalBuffers}: the descriptor for {@link #VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME}. */
    public static final class VASurfaceAttribExternalBuffers {
        private VASurfaceAttribExternalBuffers() {
        }

        private static final long SIZEOF = 80;

        public static long sizeof() {
            return SIZEOF;
        }

        public static final ValueLayout.OfInt pixel_format$LAYOUT = JAVA_INT;
        public static final long pixel_format$OFFSET = 0;
        public static final ValueLayout.OfInt width$LAYOUT = JAVA_INT;
        public static final long width$OFFSET = 4;
        public static final ValueLayout.OfInt height$LAYOUT = JAVA_INT;
        public static final long height$OFFSET = 8;
        public static final ValueLayout.OfInt data_size$LAYOUT = JAVA_INT;
        public static final long data_size$OFFSET = 12;
        public static final ValueLayout.OfInt num_planes$LAYOUT = JAVA_INT;
        public static final long num_planes$OFFSET = 16;
        public static final MemoryLayout pitches$LAYOUT = MemoryLayout.sequenceLayout(4, JAVA_INT);
        public static final long pitches$OFFSET = 20;
        public static final MemoryLayout offsets$LAYOUT = MemoryLayout.sequenceLayout(4, JAVA_INT);
        public static final long offsets$OFFSET = 36;
        /** {@code uintptr_t *buffers}: for DRM PRIME, an array of DMA-BUF file descriptors. */
        public static final ValueLayout.OfLong buffers$LAYOUT = JAVA_LONG;
        public static final long buffers$OFFSET = 56;
        public static final ValueLayout.OfInt num_buffers$LAYOUT = JAVA_INT;
        public static final long num_buffers$OFFSET = 64;
        public static final ValueLayout.OfInt flags$LAYOUT = JAVA_INT;
        public static final long flags$OFFSET = 68;
    }

    /** {@code VADRMPRIMESurfaceDescriptor}: the descriptor for {@link #VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2}. */
    public static final class VADRMPRIMESurfaceDescriptor {
        private VADRMPRIMESurfaceDescriptor() {
        }

        private static final long SIZEOF = 312;

        public static long sizeof() {
            return SIZEOF;
        }

        public static final ValueLayout.OfInt fourcc$LAYOUT = JAVA_INT;
        public static final long fourcc$OFFSET = 0;
        public static final ValueLayout.OfInt width$LAYOUT = JAVA_INT;
        public static final long width$OFFSET = 4;
        public static final ValueLayout.OfInt height$LAYOUT = JAVA_INT;
        public static final long height$OFFSET = 8;
        public static final ValueLayout.OfInt num_objects$LAYOUT = JAVA_INT;
        public static final long num_objects$OFFSET = 12;
        public static final MemoryLayout objects$LAYOUT = MemoryLayout.sequenceLayout(4,
                MemoryLayout.structLayout(JAVA_INT, JAVA_INT, JAVA_LONG));
        public static final long objects$OFFSET = 16;
        /** {@code objects[0].fd}; element {@code i} is {@code i × object1$LAYOUT.byteSize()} further on. */
        public static final ValueLayout.OfInt object$fd$LAYOUT = JAVA_INT;
        public static final long object$fd$OFFSET = 16;
        public static final ValueLayout.OfInt object$size$LAYOUT = JAVA_INT;
        public static final long object$size$OFFSET = 20;
        public static final ValueLayout.OfLong object$drm_format_modifier$LAYOUT = JAVA_LONG;
        public static final long object$drm_format_modifier$OFFSET = 24;
        public static final MemoryLayout object1$LAYOUT = MemoryLayout.structLayout(JAVA_INT, JAVA_INT, JAVA_LONG);
        public static final long object1$OFFSET = 32;
        public static final ValueLayout.OfInt num_layers$LAYOUT = JAVA_INT;
        public static final long num_layers$OFFSET = 80;
        public static final MemoryLayout layers$LAYOUT = MemoryLayout.sequenceLayout(4,
                MemoryLayout.sequenceLayout(14, JAVA_INT));
        public static final long layers$OFFSET = 84;
        /** {@code layers[0].drm_format}; layer {@code i} is {@code i × layer1$LAYOUT.byteSize()} further on. */
        public static final ValueLayout.OfInt layer$drm_format$LAYOUT = JAVA_INT;
        public static final long layer$drm_format$OFFSET = 84;
        public static final ValueLayout.OfInt layer$num_planes$LAYOUT = JAVA_INT;
        public static final long layer$num_planes$OFFSET = 88;
        public static final MemoryLayout layer$object_index$LAYOUT = MemoryLayout.sequenceLayout(4, JAVA_INT);
        public static final long layer$object_index$OFFSET = 92;
        public static final MemoryLayout layer$offset$LAYOUT = MemoryLayout.sequenceLayout(4, JAVA_INT);
        public static final long layer$offset$OFFSET = 108;
        public static final MemoryLayout layer$pitch$LAYOUT = MemoryLayout.sequenceLayout(4, JAVA_INT);
        public static final long layer$pitch$OFFSET = 124;
        public static final MemoryLayout layer1$LAYOUT = MemoryLayout.sequenceLayout(14, JAVA_INT);
        public static final long layer1$OFFSET = 140;
    }

    private static final class Library {
        static final NativeLibraries.Loaded LOADED = NativeLibraries.loadChecked(SONAME, DEBIAN_PACKAGE, null,
                lookup -> null);
    }

    /** Null when libva.so.2 is loadable here; otherwise what to install. */
    public static String unavailableReason() {
        return Library.LOADED.problem();
    }

    public static void requireAvailable() {
        Library.LOADED.require();
    }

    private static final class Handles {
        static final MethodHandle vaInitialize = link("vaInitialize",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
        static final MethodHandle vaTerminate = link("vaTerminate", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        static final MethodHandle vaErrorStr = link("vaErrorStr", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        static final MethodHandle vaQueryVendorString = link("vaQueryVendorString",
                FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        static final MethodHandle vaMaxNumProfiles = link("vaMaxNumProfiles", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        static final MethodHandle vaMaxNumEntrypoints = link("vaMaxNumEntrypoints",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        static final MethodHandle vaQueryConfigProfiles = link("vaQueryConfigProfiles",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
        static final MethodHandle vaQueryConfigEntrypoints = link("vaQueryConfigEntrypoints",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle vaGetConfigAttributes = link("vaGetConfigAttributes",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle vaCreateSurfaces = link("vaCreateSurfaces", FunctionDescriptor.of(JAVA_INT,
                JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle vaDestroySurfaces = link("vaDestroySurfaces",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT));
        static final MethodHandle vaSetInfoCallback = link("vaSetInfoCallback",
                FunctionDescriptor.of(ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

        private static MethodHandle link(String name, FunctionDescriptor descriptor) {
            requireAvailable();
            return NativeLibraries.downcall(Library.LOADED.lookup(), SONAME, name, descriptor);
        }
    }

    /** {@code VAStatus vaInitialize(VADisplay, int *major, int *minor)}. */
    public static int vaInitialize(long display, MemorySegment major, MemorySegment minor) {
        try {
            return (int) Handles.vaInitialize.invokeExact(display, major, minor);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int vaTerminate(long display) {
        try {
            return (int) Handles.vaTerminate.invokeExact(display);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** libva's sentence for a status, e.g. {@code "unknown libva error"} or {@code "resource allocation failed"}. */
    public static String vaErrorStr(int status) {
        try {
            MemorySegment text = (MemorySegment) Handles.vaErrorStr.invokeExact(status);
            return text.address() == 0 ? "VA status " + status : text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** The driver's description of itself (e.g. "Intel iHD driver for Intel(R) Gen Graphics - 22.3.1 ()"). */
    public static String vaQueryVendorString(long display) {
        try {
            MemorySegment text = (MemorySegment) Handles.vaQueryVendorString.invokeExact(display);
            return text.address() == 0 ? "" : text.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int vaMaxNumProfiles(long display) {
        try {
            return (int) Handles.vaMaxNumProfiles.invokeExact(display);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int vaMaxNumEntrypoints(long display) {
        try {
            return (int) Handles.vaMaxNumEntrypoints.invokeExact(display);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** Fills {@code profiles} (vaMaxNumProfiles ints) and {@code *count}. */
    public static int vaQueryConfigProfiles(long display, MemorySegment profiles, MemorySegment count) {
        try {
            return (int) Handles.vaQueryConfigProfiles.invokeExact(display, profiles, count);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int vaQueryConfigEntrypoints(long display, int profile, MemorySegment entrypoints, MemorySegment count) {
        try {
            return (int) Handles.vaQueryConfigEntrypoints.invokeExact(display, profile, entrypoints, count);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** Fills the value of each {@code VAConfigAttrib} whose type is set, or VA_ATTRIB_NOT_SUPPORTED. */
    public static int vaGetConfigAttributes(long display, int profile, int entrypoint, MemorySegment attribs, int count) {
        try {
            return (int) Handles.vaGetConfigAttributes.invokeExact(display, profile, entrypoint, attribs, count);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /**
     * {@code VAStatus vaCreateSurfaces(VADisplay, unsigned format, unsigned width, unsigned height,
     * VASurfaceID *surfaces, unsigned num_surfaces, VASurfaceAttrib *attribs, unsigned num_attribs)}.
     */
    public static int vaCreateSurfaces(long display, int format, int width, int height, MemorySegment surfaces,
                                       int numSurfaces, MemorySegment attribs, int numAttribs) {
        try {
            return (int) Handles.vaCreateSurfaces.invokeExact(display, format, width, height, surfaces, numSurfaces,
                    attribs, numAttribs);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int vaDestroySurfaces(long display, MemorySegment surfaces, int count) {
        try {
            return (int) Handles.vaDestroySurfaces.invokeExact(display, surfaces, count);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** With a NULL callback, libva stops printing its "libva info:" lines for this display. */
    public static void vaSetInfoCallback(long display, MemorySegment callback, MemorySegment userContext) {
        try {
            MemorySegment unusedPrevious = (MemorySegment) Handles.vaSetInfoCallback.invokeExact(display, callback,
                    userContext);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }
}
