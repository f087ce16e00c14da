package dev.framebridge.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libx264 (X264_BUILD 164) over FFM: the constants, the members of {@code x264_param_t}, {@code x264_picture_t}
 * and {@code x264_nal_t} framebridge touches, and the functions it calls. Names follow jextract
 * ({@code x264_param_t.i_width$OFFSET}) so a generated binding can replace this one mechanically.
 *
 * <p>Every size, offset and constant here is printed by {@code native-build/probes/x264.c} from the real
 * {@code x264.h} and compared by {@code X264LayoutTest}; a difference fails the build. x264's ABI changes with
 * X264_BUILD, which is why the library is checked at load: it must export {@code x264_encoder_open_164}.
 *
 * <p>The struct members are read and written through {@link #NATIVE} with raw addresses where a pointer comes back
 * from x264 (the NAL array), so the encode path creates no segment objects.
 */
public final class X264 {
    private X264() {
    }

    public static final String SONAME = "libx264.so.164";
    public static final String DEBIAN_PACKAGE = "libx264-164";
    public static final String BREW_FORMULA = "x264";

    // x264.h constants (checked against the header by X264LayoutTest).
    public static final int X264_BUILD = 164;
    public static final int X264_CSP_MASK = 0x00ff;
    public static final int X264_CSP_I420 = 0x0002;
    public static final int X264_CSP_NV12 = 0x0004;
    public static final int X264_TYPE_AUTO = 0x0000;
    public static final int X264_TYPE_IDR = 0x0001;
    public static final int X264_TYPE_I = 0x0002;
    public static final int X264_TYPE_P = 0x0003;
    public static final int X264_LOG_ERROR = 0;
    public static final int X264_LOG_WARNING = 1;
    public static final int X264_PARAM_BAD_NAME = -1;
    public static final int X264_PARAM_BAD_VALUE = -2;
    public static final int NAL_SLICE_IDR = 5;
    public static final int NAL_SEI = 6;
    public static final int NAL_SPS = 7;
    public static final int NAL_PPS = 8;

    /** All of the address space, for reading structs at addresses x264 returns without making a segment per read. */
    public static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** {@code x264_param_t}: only the members framebridge sets directly; the rest go through x264_param_parse. */
    public static final class x264_param_t {
        private x264_param_t() {
        }

        private static final long SIZEOF = 1024;

        public static long sizeof() {
            return SIZEOF;
        }

        public static final ValueLayout.OfInt i_width$LAYOUT = JAVA_INT;
        public static final long i_width$OFFSET = 28;
        public static final ValueLayout.OfInt i_height$LAYOUT = JAVA_INT;
        public static final long i_height$OFFSET = 32;
        public static final ValueLayout.OfInt i_csp$LAYOUT = JAVA_INT;
        public static final long i_csp$OFFSET = 36;
        public static final ValueLayout.OfInt i_keyint_max$LAYOUT = JAVA_INT;
        public static final long i_keyint_max$OFFSET = 100;
        public static final ValueLayout.OfInt i_bframe$LAYOUT = JAVA_INT;
        public static final long i_bframe$OFFSET = 116;
        public static final ValueLayout.OfInt i_log_level$LAYOUT = JAVA_INT;
        public static final long i_log_level$OFFSET = 528;
        public static final ValueLayout.OfInt rc$i_bitrate$LAYOUT = JAVA_INT;
        public static final long rc$i_bitrate$OFFSET = 676;
        public static final ValueLayout.OfInt rc$i_vbv_max_bitrate$LAYOUT = JAVA_INT;
        public static final long rc$i_vbv_max_bitrate$OFFSET = 692;
        public static final ValueLayout.OfInt rc$i_vbv_buffer_size$LAYOUT = JAVA_INT;
        public static final long rc$i_vbv_buffer_size$OFFSET = 696;
        public static final ValueLayout.OfInt rc$i_lookahead$LAYOUT = JAVA_INT;
        public static final long rc$i_lookahead$OFFSET = 728;
        public static final ValueLayout.OfInt b_repeat_headers$LAYOUT = JAVA_INT;
        public static final long b_repeat_headers$OFFSET = 900;
        public static final ValueLayout.OfInt b_annexb$LAYOUT = JAVA_INT;
        public static final long b_annexb$OFFSET = 904;
        public static final ValueLayout.OfInt b_vfr_input$LAYOUT = JAVA_INT;
        public static final long b_vfr_input$OFFSET = 912;
        /** uint32_t in C; values framebridge writes stay below 2^31. */
        public static final ValueLayout.OfInt i_fps_num$LAYOUT = JAVA_INT;
        public static final long i_fps_num$OFFSET = 920;
        public static final ValueLayout.OfInt i_fps_den$LAYOUT = JAVA_INT;
        public static final long i_fps_den$OFFSET = 924;
        public static final ValueLayout.OfInt i_timebase_num$LAYOUT = JAVA_INT;
        public static final long i_timebase_num$OFFSET = 928;
        public static final ValueLayout.OfInt i_timebase_den$LAYOUT = JAVA_INT;
        public static final long i_timebase_den$OFFSET = 932;
    }

    /** {@code x264_picture_t} with its embedded {@code x264_image_t img}. */
    public static final class x264_picture_t {
        private x264_picture_t() {
        }

        private static final long SIZEOF = 240;

        public static long sizeof() {
            return SIZEOF;
        }

        public static final ValueLayout.OfInt i_type$LAYOUT = JAVA_INT;
        public static final long i_type$OFFSET = 0;
        public static final ValueLayout.OfInt b_keyframe$LAYOUT = JAVA_INT;
        public static final long b_keyframe$OFFSET = 12;
        public static final ValueLayout.OfLong i_pts$LAYOUT = JAVA_LONG;
        public static final long i_pts$OFFSET = 16;
        public static final ValueLayout.OfLong i_dts$LAYOUT = JAVA_LONG;
        public static final long i_dts$OFFSET = 24;
        public static final ValueLayout.OfInt img$i_csp$LAYOUT = JAVA_INT;
        public static final long img$i_csp$OFFSET = 40;
        public static final ValueLayout.OfInt img$i_plane$LAYOUT = JAVA_INT;
        public static final long img$i_plane$OFFSET = 44;
        /** {@code int i_stride[4]}. */
        public static final MemoryLayout img$i_stride$LAYOUT = MemoryLayout.sequenceLayout(4, JAVA_INT);
        public static final long img$i_stride$OFFSET = 48;
        /** {@code uint8_t *plane[4]}, written as raw 64-bit addresses (the probe checks pointers are 8 bytes). */
        public static final MemoryLayout img$plane$LAYOUT = MemoryLayout.sequenceLayout(4, JAVA_LONG);
        public static final long img$plane$OFFSET = 64;
    }

    /** {@code x264_nal_t}: one NAL unit of an encoder's output. */
    public static final class x264_nal_t {
        private x264_nal_t() {
        }

        private static final long SIZEOF = 40;

        public static long sizeof() {
            return SIZEOF;
        }

        public static final ValueLayout.OfInt i_type$LAYOUT = JAVA_INT;
        public static final long i_type$OFFSET = 4;
        public static final ValueLayout.OfInt i_payload$LAYOUT = JAVA_INT;
        public static final long i_payload$OFFSET = 20;
        /** {@code uint8_t *p_payload}, read as a raw address. */
        public static final ValueLayout.OfLong p_payload$LAYOUT = JAVA_LONG;
        public static final long p_payload$OFFSET = 24;
    }

    // ---- loading and the ABI check -------------------------------------------------------------------------

    /** The outcome of loading the library once: its lookup, or why it cannot be used. */
    private static final class Library {
        static final NativeLibraries.Loaded LOADED = NativeLibraries.loadChecked(SONAME, DEBIAN_PACKAGE, BREW_FORMULA,
                lookup -> buildProblem(lookup, SONAME, X264_BUILD));
    }

    /** Null when libx264 build 164 is loadable here; otherwise what is wrong and how to fix it. */
    public static String unavailableReason() {
        return Library.LOADED.problem();
    }

    /** Throws {@link NativeLibraryMissing} with the fix unless the library is usable; call before any function. */
    public static void requireAvailable() {
        Library.LOADED.require();
    }

    /**
     * What stops {@code soname} from being used as x264 build {@code supportedBuild}, or null. Loads nothing into
     * the bindings; it lets tests (and diagnostics) try a soname that does not exist or a build not installed.
     */
    public static String unavailableReasonFor(String soname, String debianPackage, int supportedBuild) {
        try {
            return buildProblem(NativeLibraries.load(soname, debianPackage, BREW_FORMULA), soname, supportedBuild);
        } catch (NativeLibraryMissing e) {
            return e.getMessage();
        }
    }

    /** x264 exports its open function as x264_encoder_open_BUILD precisely so that a mismatch is detectable. */
    static String buildProblem(SymbolLookup lookup, String soname, int supportedBuild) {
        if (lookup.find("x264_encoder_open_" + supportedBuild).isPresent()) {
            return null;
        }
        for (int build = 100; build < 400; build++) {
            if (lookup.find("x264_encoder_open_" + build).isPresent()) {
                return soname + " is x264 build " + build + " (it exports x264_encoder_open_" + build
                        + "), but framebridge supports build " + supportedBuild + " only: x264 changes its struct"
                        + " layouts with every build. Install " + DEBIAN_PACKAGE + " (build " + supportedBuild
                        + "), or regenerate the binding for build " + build + ": install its x264.h, run"
                        + " `mvn -q test -Dtest=X264LayoutTest` (it lists every offset and constant that differs,"
                        + " from native-build/probes/x264.c), update them and X264_BUILD/SONAME in"
                        + " dev.framebridge.ffi.X264, and rerun the tests";
            }
        }
        return soname + " exports no x264_encoder_open_<BUILD> function — it is not a libx264 framebridge can use;"
                + " install " + DEBIAN_PACKAGE;
    }

    // ---- functions ----------------------------------------------------------------------------------------

    /** Linked on first use, only after {@link #requireAvailable()} succeeded. */
    private static final class Handles {
        static final MethodHandle param_default_preset = link("x264_param_default_preset",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle param_parse = link("x264_param_parse",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle param_apply_profile = link("x264_param_apply_profile",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle param_cleanup = link("x264_param_cleanup", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle picture_init = link("x264_picture_init", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle encoder_open = link("x264_encoder_open_" + X264_BUILD,
                FunctionDescriptor.of(ADDRESS, ADDRESS));
        static final MethodHandle encoder_reconfig = link("x264_encoder_reconfig",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle encoder_parameters = link("x264_encoder_parameters",
                FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        static final MethodHandle encoder_encode = link("x264_encoder_encode",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle encoder_close = link("x264_encoder_close", FunctionDescriptor.ofVoid(ADDRESS));

        private static MethodHandle link(String name, FunctionDescriptor descriptor) {
            requireAvailable();
            return NativeLibraries.downcall(Library.LOADED.lookup(), SONAME, name, descriptor);
        }
    }

    /** {@code int x264_param_default_preset(x264_param_t *, const char *preset, const char *tune)}: 0 or -1. */
    public static int x264_param_default_preset(MemorySegment param, MemorySegment preset, MemorySegment tune) {
        try {
            return (int) Handles.param_default_preset.invokeExact(param, preset, tune);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** {@code int x264_param_parse(x264_param_t *, const char *name, const char *value)}: 0 or X264_PARAM_BAD_*. */
    public static int x264_param_parse(MemorySegment param, MemorySegment name, MemorySegment value) {
        try {
            return (int) Handles.param_parse.invokeExact(param, name, value);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** {@code int x264_param_apply_profile(x264_param_t *, const char *profile)}: 0 or -1. */
    public static int x264_param_apply_profile(MemorySegment param, MemorySegment profile) {
        try {
            return (int) Handles.param_apply_profile.invokeExact(param, profile);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** Frees what x264_param_parse allocated inside the param (string options). */
    public static void x264_param_cleanup(MemorySegment param) {
        try {
            Handles.param_cleanup.invokeExact(param);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    public static void x264_picture_init(MemorySegment picture) {
        try {
            Handles.picture_init.invokeExact(picture);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** {@code x264_t *x264_encoder_open_164(x264_param_t *)}: the encoder, or NULL when the params are invalid. */
    public static MemorySegment x264_encoder_open(MemorySegment param) {
        try {
            return (MemorySegment) Handles.encoder_open.invokeExact(param);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** Applies bitrate/VBV (and a few other) changes from the next frame on; 0 or negative on invalid params. */
    public static int x264_encoder_reconfig(MemorySegment encoder, MemorySegment param) {
        try {
            return (int) Handles.encoder_reconfig.invokeExact(encoder, param);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /** Copies the encoder's current parameters (after open's and reconfig's adjustments) into {@code param}. */
    public static void x264_encoder_parameters(MemorySegment encoder, MemorySegment param) {
        try {
            Handles.encoder_parameters.invokeExact(encoder, param);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    /**
     * {@code int x264_encoder_encode(x264_t *, x264_nal_t **pp_nal, int *pi_nal, x264_picture_t *in, x264_picture_t *out)}:
     * bytes in the returned NALs, 0 when nothing came out, negative on error.
     */
    public static int x264_encoder_encode(MemorySegment encoder, MemorySegment ppNal, MemorySegment piNal,
                                          MemorySegment picIn, MemorySegment picOut) {
        try {
            return (int) Handles.encoder_encode.invokeExact(encoder, ppNal, piNal, picIn, picOut);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }

    public static void x264_encoder_close(MemorySegment encoder) {
        try {
            Handles.encoder_close.invokeExact(encoder);
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
    }
}
