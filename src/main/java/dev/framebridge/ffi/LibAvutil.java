package dev.framebridge.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FFmpeg's libavutil (major 57, FFmpeg 5.1) over FFM: frames, buffers, AVOptions, hardware device and frame
 * contexts, errors and logging — what {@link LibAvcodec}'s encoders need around them.
 *
 * <p>FFmpeg moves struct members between majors, so this binding touches as few as it can (settings go through
 * {@code av_opt_set}); every offset and constant it does declare is printed from Debian's headers by
 * {@code native-build/probes/avcodec.c} and compared by {@code AvcodecLayoutTest}. The library is checked at load:
 * {@code avutil_version()} must report major {@value #LIBAVUTIL_VERSION_MAJOR}, or it is refused with a message
 * saying how to check a binding for another major.
 *
 * <p>Functions on the encode path take and return pointers as {@code long} (a pointer and a 64-bit integer travel in
 * the same registers on the 64-bit ABIs we run on), so a frame makes no segment objects.
 */
public final class LibAvutil {
    private LibAvutil() {
    }

    public static final int LIBAVUTIL_VERSION_MAJOR = 57;
    public static final String SONAME = soname("libavutil", LIBAVUTIL_VERSION_MAJOR);
    public static final String DEBIAN_PACKAGE = "libavutil" + LIBAVUTIL_VERSION_MAJOR;
    /** No Homebrew formula is named: Homebrew's ffmpeg is a newer major; macOS needs an FFmpeg 5.1 build. */
    public static final String BREW_FORMULA = null;

    // Constants of pixfmt.h, hwcontext.h, opt.h, frame.h, error.h, log.h (checked by AvcodecLayoutTest).
    public static final int AV_PIX_FMT_NONE = -1;
    public static final int AV_PIX_FMT_YUV420P = 0;
    public static final int AV_PIX_FMT_NV12 = 23;
    public static final int AV_PIX_FMT_VAAPI = 44;
    public static final int AV_PIX_FMT_QSV = 114;
    public static final int AV_PIX_FMT_CUDA = 117;
    public static final int AV_PIX_FMT_VIDEOTOOLBOX = 158;
    public static final int AV_HWDEVICE_TYPE_NONE = 0;
    public static final int AV_HWDEVICE_TYPE_CUDA = 2;
    public static final int AV_HWDEVICE_TYPE_VAAPI = 3;
    public static final int AV_HWDEVICE_TYPE_QSV = 5;
    public static final int AV_HWDEVICE_TYPE_VIDEOTOOLBOX = 6;
    public static final int AV_OPT_SEARCH_CHILDREN = 1;
    public static final int AV_PICTURE_TYPE_NONE = 0;
    public static final int AV_PICTURE_TYPE_I = 1;
    public static final int AV_NUM_DATA_POINTERS = 8;
    public static final int AV_ERROR_MAX_STRING_SIZE = 64;
    public static final int AV_LOG_QUIET = -8;
    public static final int AV_LOG_ERROR = 16;
    public static final int AV_LOG_WARNING = 24;
    public static final int AV_LOG_INFO = 32;
    public static final int AVERROR_EAGAIN = -11;
    public static final int AVERROR_EINVAL = -22;
    public static final int AVERROR_ENOSYS = -38;
    public static final int AVERROR_EOF = -541478725;
    public static final int AVERROR_OPTION_NOT_FOUND = -1414549496;
    public static final int AVERROR_ENCODER_NOT_FOUND = -1129203192;
    public static final int AVERROR_EXTERNAL = -542398533;

    /** All of the address space, for reading structs at addresses libav returns without a segment per read. */
    public static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** {@code AVFrame}: the planes, size, format, type and timestamp of a picture, and its buffers. */
    public static final class AVFrame {
        private AVFrame() {
        }

        private static final long SIZEOF = 472;

        public static long sizeof() {
            return SIZEOF;
        }

        /** {@code uint8_t *data[AV_NUM_DATA_POINTERS]}, raw 64-bit addresses. */
        public static final MemoryLayout data$LAYOUT = MemoryLayout.sequenceLayout(8, JAVA_LONG);
        public static final long data$OFFSET = 0;
        /** {@code int linesize[AV_NUM_DATA_POINTERS]}. */
        public static final MemoryLayout linesize$LAYOUT = MemoryLayout.sequenceLayout(8, JAVA_INT);
        public static final long linesize$OFFSET = 64;
        public static final ValueLayout.OfInt width$LAYOUT = JAVA_INT;
        public static final long width$OFFSET = 104;
        public static final ValueLayout.OfInt height$LAYOUT = JAVA_INT;
        public static final long height$OFFSET = 108;
        public static final ValueLayout.OfInt format$LAYOUT = JAVA_INT;
        public static final long format$OFFSET = 116;
        public static final ValueLayout.OfInt pict_type$LAYOUT = JAVA_INT;
        public static final long pict_type$OFFSET = 124;
        public static final ValueLayout.OfLong pts$LAYOUT = JAVA_LONG;
        public static final long pts$OFFSET = 136;
        /** {@code AVBufferRef *buf[AV_NUM_DATA_POINTERS]}. */
        public static final MemoryLayout buf$LAYOUT = MemoryLayout.sequenceLayout(8, JAVA_LONG);
        public static final long buf$OFFSET = 224;
        /** {@code AVBufferRef *hw_frames_ctx}: the frames context a hardware frame's surface belongs to. */
        public static final ValueLayout.OfLong hw_frames_ctx$LAYOUT = JAVA_LONG;
        public static final long hw_frames_ctx$OFFSET = 392;
    }

    /** {@code AVBufferRef}: a reference to a refcounted buffer. */
    public static final class AVBufferRef {
        private AVBufferRef() {
        }

        private static final long SIZEOF = 24;

        public static long sizeof() {
            return SIZEOF;
        }

        /** {@code uint8_t *data}: for a hardware context buffer, the context struct itself. */
        public static final ValueLayout.OfLong data$LAYOUT = JAVA_LONG;
        public static final long data$OFFSET = 8;
        /** {@code size_t size}. */
        public static final ValueLayout.OfLong size$LAYOUT = JAVA_LONG;
        public static final long size$OFFSET = 16;
    }

    /** {@code AVRational}. */
    public static final class AVRational {
        private AVRational() {
        }

        private static final long SIZEOF = 8;

        public static long sizeof() {
            return SIZEOF;
        }

        public static final ValueLayout.OfInt num$LAYOUT = JAVA_INT;
        public static final long num$OFFSET = 0;
        public static final ValueLayout.OfInt den$LAYOUT = JAVA_INT;
        public static final long den$OFFSET = 4;
    }

    /** {@code AVHWDeviceContext} (the data of a device buffer from av_hwdevice_ctx_alloc). */
    public static final class AVHWDeviceContext {
        private AVHWDeviceContext() {
        }

        public static final ValueLayout.OfInt type$LAYOUT = JAVA_INT;
        public static final long type$OFFSET = 16;
        /** {@code void *hwctx}: the API-specific part, e.g. {@link AVVAAPIDeviceContext}. */
        public static final ValueLayout.OfLong hwctx$LAYOUT = JAVA_LONG;
        public static final long hwctx$OFFSET = 24;
    }

    /** {@code AVHWFramesContext} (the data of a frames buffer from av_hwframe_ctx_alloc), set before init. */
    public static final class AVHWFramesContext {
        private AVHWFramesContext() {
        }

        public static final ValueLayout.OfInt initial_pool_size$LAYOUT = JAVA_INT;
        public static final long initial_pool_size$OFFSET = 64;
        public static final ValueLayout.OfInt format$LAYOUT = JAVA_INT;
        public static final long format$OFFSET = 68;
        public static final ValueLayout.OfInt sw_format$LAYOUT = JAVA_INT;
        public static final long sw_format$OFFSET = 72;
        public static final ValueLayout.OfInt width$LAYOUT = JAVA_INT;
        public static final long width$OFFSET = 76;
        public static final ValueLayout.OfInt height$LAYOUT = JAVA_INT;
        public static final long height$OFFSET = 80;
    }

    /** {@code AVVAAPIDeviceContext} (hwcontext_vaapi.h): a VAAPI device built on a VADisplay we opened. */
    public static final class AVVAAPIDeviceContext {
        private AVVAAPIDeviceContext() {
        }

        /** {@code VADisplay display}. */
        public static final ValueLayout.OfLong display$LAYOUT = JAVA_LONG;
        public static final long display$OFFSET = 0;
    }

    // ---- loading and the version check ----------------------------------------------------------------------

    /** {@code libNAME.so.MAJOR} on Linux, {@code libNAME.MAJOR.dylib} on macOS. */
    static String soname(String library, int major) {
        return System.getProperty("os.name", "").startsWith("Mac")
                ? library + "." + major + ".dylib" : library + ".so." + major;
    }

    private static final class Library {
        static final NativeLibraries.Loaded LOADED = NativeLibraries.loadChecked(SONAME, DEBIAN_PACKAGE, BREW_FORMULA,
                lookup -> majorProblem(lookup, SONAME, "avutil_version", LIBAVUTIL_VERSION_MAJOR, "libavutil"));
    }

    /** Null when libavutil 57 is usable here; otherwise what is wrong and how to fix it. */
    public static String unavailableReason() {
        return Library.LOADED.problem();
    }

    public static void requireAvailable() {
        Library.LOADED.require();
    }

    /**
     * What stops {@code soname} from being used with bindings checked for {@code major}, or null: the library's own
     * {@code NAME_version()} (LIBx_VERSION_INT, major in the top bits) must report that major. Shared with
     * {@link LibAvcodec}.
     */
    static String majorProblem(SymbolLookup lookup, String soname, String versionFunction, int major, String library) {
        MemorySegment fn = NativeLibraries.symbol(lookup, soname, versionFunction);
        int version;
        try {
            version = (int) Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.of(JAVA_INT)).invokeExact();
        } catch (Throwable t) {
            throw new AssertionError("should not reach here", t);
        }
        int found = version >>> 16;
        if (found == major) {
            return null;
        }
        return soname + " reports " + library + " " + found + "." + ((version >>> 8) & 0xFF) + "." + (version & 0xFF)
                + ", but framebridge's binding is checked against " + library + " " + major + " (FFmpeg 5.1) only:"
                + " FFmpeg moves struct members between majors. Install FFmpeg 5.1's libraries, or check the binding"
                + " for major " + found + ": install its headers, run `native-build/facts avcodec` and"
                + " `mvn -q test -Dtest=AvcodecLayoutTest` (it lists every offset and constant that differs), update"
                + " dev.framebridge.ffi.LibAvutil/LibAvcodec and rerun the tests";
    }

    private static final class Handles {
        static final MethodHandle avutil_version = link("avutil_version", FunctionDescriptor.of(JAVA_INT));
        static final MethodHandle av_strerror = link("av_strerror",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle av_opt_set = link("av_opt_set",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT));
        static final MethodHandle av_opt_set_int = link("av_opt_set_int",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle av_opt_get_int = link("av_opt_get_int",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS));
        static final MethodHandle av_frame_alloc = link("av_frame_alloc", FunctionDescriptor.of(JAVA_LONG));
        static final MethodHandle av_frame_free = link("av_frame_free", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle av_frame_unref = link("av_frame_unref", FunctionDescriptor.ofVoid(JAVA_LONG));
        static final MethodHandle av_frame_get_buffer = link("av_frame_get_buffer",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT));
        static final MethodHandle av_frame_is_writable = link("av_frame_is_writable",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        static final MethodHandle av_frame_make_writable = link("av_frame_make_writable",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        static final MethodHandle av_buffer_ref = link("av_buffer_ref", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        static final MethodHandle av_buffer_unref = link("av_buffer_unref", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle av_buffer_get_ref_count = link("av_buffer_get_ref_count",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        static final MethodHandle av_buffer_create = link("av_buffer_create",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle av_hwdevice_ctx_create = link("av_hwdevice_ctx_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle av_hwdevice_ctx_create_derived = link("av_hwdevice_ctx_create_derived",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
        static final MethodHandle av_hwdevice_ctx_alloc = link("av_hwdevice_ctx_alloc",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
        static final MethodHandle av_hwdevice_ctx_init = link("av_hwdevice_ctx_init",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        static final MethodHandle av_hwframe_ctx_alloc = link("av_hwframe_ctx_alloc",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        static final MethodHandle av_hwframe_ctx_init = link("av_hwframe_ctx_init",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        static final MethodHandle av_hwframe_get_buffer = link("av_hwframe_get_buffer",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
        static final MethodHandle av_hwframe_transfer_data = link("av_hwframe_transfer_data",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
        static final MethodHandle av_log_set_level = link("av_log_set_level", FunctionDescriptor.ofVoid(JAVA_INT));
        static final MethodHandle av_log_set_callback = link("av_log_set_callback", FunctionDescriptor.ofVoid(ADDRESS));
        /** The va_list travels as a pointer: an array type on SysV x86-64, passed by reference on AAPCS64. */
        static final MethodHandle av_log_format_line2 = link("av_log_format_line2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        static final MethodHandle av_get_pix_fmt_name = link("av_get_pix_fmt_name",
                FunctionDescriptor.of(ADDRESS, JAVA_INT));

        private static MethodHandle link(String name, FunctionDescriptor descriptor) {
            requireAvailable();
            return NativeLibraries.downcall(Library.LOADED.lookup(), SONAME, name, descriptor);
        }
    }

    /** {@code LIBAVUTIL_VERSION_INT} of the loaded library (major &lt;&lt; 16 | minor &lt;&lt; 8 | micro). */
    public static int avutil_version() {
        try {
            return (int) Handles.avutil_version.invokeExact();
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** The text of an AVERROR code, e.g. {@code "Resource temporarily unavailable"}. Allocates; not for the hot path. */
    public static String av_strerror(int errnum) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(AV_ERROR_MAX_STRING_SIZE);
            int rc = (int) Handles.av_strerror.invokeExact(errnum, buf, (long) AV_ERROR_MAX_STRING_SIZE);
            String text = buf.getString(0);
            return rc < 0 && text.isEmpty() ? "error " + errnum : text;
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** {@code int av_opt_set(void *obj, const char *name, const char *val, int search_flags)}. */
    public static int av_opt_set(long obj, MemorySegment name, MemorySegment value, int searchFlags) {
        try {
            return (int) Handles.av_opt_set.invokeExact(obj, name, value, searchFlags);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int av_opt_set_int(long obj, MemorySegment name, long value, int searchFlags) {
        try {
            return (int) Handles.av_opt_set_int.invokeExact(obj, name, value, searchFlags);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** {@code int av_opt_get_int(void *obj, const char *name, int search_flags, int64_t *out_val)}. */
    public static int av_opt_get_int(long obj, MemorySegment name, int searchFlags, MemorySegment out) {
        try {
            return (int) Handles.av_opt_get_int.invokeExact(obj, name, searchFlags, out);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** A new frame with default fields and no buffers, or 0. */
    public static long av_frame_alloc() {
        try {
            return (long) Handles.av_frame_alloc.invokeExact();
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** Frees the frame at {@code *framePointer} (and its references) and sets the pointer to NULL. */
    public static void av_frame_free(MemorySegment framePointer) {
        try {
            Handles.av_frame_free.invokeExact(framePointer);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static void av_frame_unref(long frame) {
        try {
            Handles.av_frame_unref.invokeExact(frame);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int av_frame_get_buffer(long frame, int align) {
        try {
            return (int) Handles.av_frame_get_buffer.invokeExact(frame, align);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** 1 when nobody else holds a reference to the frame's buffers. */
    public static int av_frame_is_writable(long frame) {
        try {
            return (int) Handles.av_frame_is_writable.invokeExact(frame);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int av_frame_make_writable(long frame) {
        try {
            return (int) Handles.av_frame_make_writable.invokeExact(frame);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** A new reference to the same buffer, or 0. */
    public static long av_buffer_ref(long buffer) {
        try {
            return (long) Handles.av_buffer_ref.invokeExact(buffer);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** Drops the reference at {@code *bufferPointer} and sets the pointer to NULL. */
    public static void av_buffer_unref(MemorySegment bufferPointer) {
        try {
            Handles.av_buffer_unref.invokeExact(bufferPointer);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** {@code int av_buffer_get_ref_count(const AVBufferRef *buf)}: how many references share the buffer. */
    public static int av_buffer_get_ref_count(long buffer) {
        try {
            return (int) Handles.av_buffer_get_ref_count.invokeExact(buffer);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /**
     * {@code AVBufferRef *av_buffer_create(uint8_t *data, size_t size, void (*free)(void *opaque, uint8_t *data),
     * void *opaque, int flags)}: wraps memory someone else owns; {@code free} runs when the last reference goes.
     */
    public static long av_buffer_create(long data, long size, MemorySegment free, long opaque, int flags) {
        try {
            return (long) Handles.av_buffer_create.invokeExact(data, size, free, opaque, flags);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /**
     * {@code int av_hwdevice_ctx_create(AVBufferRef **device_ctx, enum AVHWDeviceType type, const char *device,
     * AVDictionary *opts, int flags)}; {@code device} may be {@link MemorySegment#NULL} for the default device.
     */
    public static int av_hwdevice_ctx_create(MemorySegment deviceOut, int type, MemorySegment device, long opts, int flags) {
        try {
            return (int) Handles.av_hwdevice_ctx_create.invokeExact(deviceOut, type, device, opts, flags);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** A device of {@code type} made from an existing one (QSV on a VAAPI display), as Sunshine makes QSV's. */
    public static int av_hwdevice_ctx_create_derived(MemorySegment deviceOut, int type, long source, int flags) {
        try {
            return (int) Handles.av_hwdevice_ctx_create_derived.invokeExact(deviceOut, type, source, flags);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static long av_hwdevice_ctx_alloc(int type) {
        try {
            return (long) Handles.av_hwdevice_ctx_alloc.invokeExact(type);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int av_hwdevice_ctx_init(long device) {
        try {
            return (int) Handles.av_hwdevice_ctx_init.invokeExact(device);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static long av_hwframe_ctx_alloc(long device) {
        try {
            return (long) Handles.av_hwframe_ctx_alloc.invokeExact(device);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int av_hwframe_ctx_init(long frames) {
        try {
            return (int) Handles.av_hwframe_ctx_init.invokeExact(frames);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** Takes a surface from the frames context's pool into {@code frame}. */
    public static int av_hwframe_get_buffer(long frames, long frame, int flags) {
        try {
            return (int) Handles.av_hwframe_get_buffer.invokeExact(frames, frame, flags);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** Uploads (or downloads) a picture between system memory and a hardware surface. */
    public static int av_hwframe_transfer_data(long dst, long src, int flags) {
        try {
            return (int) Handles.av_hwframe_transfer_data.invokeExact(dst, src, flags);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static void av_log_set_level(int level) {
        try {
            Handles.av_log_set_level.invokeExact(level);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** Installs {@code void callback(void *avcl, int level, const char *fmt, va_list vl)} for every av_log call. */
    public static void av_log_set_callback(MemorySegment callback) {
        try {
            Handles.av_log_set_callback.invokeExact(callback);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** The address of {@code av_log_default_callback}, to put libav's own logging back. */
    public static MemorySegment av_log_default_callback() {
        requireAvailable();
        return NativeLibraries.symbol(Library.LOADED.lookup(), SONAME, "av_log_default_callback");
    }

    /** Formats one log line as the default callback would (prefix "[encoder @ 0x…] " when printPrefix is 1). */
    public static int av_log_format_line2(MemorySegment avcl, int level, MemorySegment fmt, MemorySegment vaList,
                                          MemorySegment line, int lineSize, MemorySegment printPrefix) {
        try {
            return (int) Handles.av_log_format_line2.invokeExact(avcl, level, fmt, vaList, line, lineSize, printPrefix);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** libav's name of a pixel format ({@code nv12}, {@code vaapi}), or {@code "#N"} when it has none. */
    public static String av_get_pix_fmt_name(int format) {
        try {
            MemorySegment name = (MemorySegment) Handles.av_get_pix_fmt_name.invokeExact(format);
            return name.address() == 0 ? "#" + format : name.reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }
}
