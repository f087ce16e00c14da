package dev.framebridge.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FFmpeg's libavcodec (major 59, FFmpeg 5.1) over FFM: finding an encoder by name, its context, and the
 * send-frame / receive-packet loop. Settings go through {@link LibAvutil#av_opt_set} on the context (which also
 * reaches the encoder's private options); only what has no AVOption is written by offset — the frame rate and the
 * hardware contexts of {@code AVCodecContext}, and the fields of {@code AVPacket} — each offset printed from
 * Debian's headers by {@code native-build/probes/avcodec.c} and compared by {@code AvcodecLayoutTest}.
 *
 * <p>The library is checked at load: {@code avcodec_version()} must report major {@value #LIBAVCODEC_VERSION_MAJOR}.
 */
public final class LibAvcodec {
    private LibAvcodec() {
    }

    public static final int LIBAVCODEC_VERSION_MAJOR = 59;
    public static final String SONAME = LibAvutil.soname("libavcodec", LIBAVCODEC_VERSION_MAJOR);
    public static final String DEBIAN_PACKAGE = "libavcodec" + LIBAVCODEC_VERSION_MAJOR;

    public static final int AV_PKT_FLAG_KEY = 1;

    /** {@code AVCodecContext}: only the members that have no AVOption. */
    public static final class AVCodecContext {
        private AVCodecContext() {
        }

        /** {@code AVRational framerate}: rate control's frames per second (time_base is an option). */
        public static final ValueLayout.OfLong framerate$LAYOUT = JAVA_LONG;
        public static final long framerate$OFFSET = 712;
        /** {@code AVBufferRef *hw_frames_ctx}: the pool the encoder's input surfaces come from. */
        public static final ValueLayout.OfLong hw_frames_ctx$LAYOUT = JAVA_LONG;
        public static final long hw_frames_ctx$OFFSET = 848;
        /** {@code AVBufferRef *hw_device_ctx}. */
        public static final ValueLayout.OfLong hw_device_ctx$LAYOUT = JAVA_LONG;
        public static final long hw_device_ctx$OFFSET = 872;
    }

    /** {@code AVPacket}: one access unit out of the encoder. */
    public static final class AVPacket {
        private AVPacket() {
        }

        private static final long SIZEOF = 104;

        public static long sizeof() {
            return SIZEOF;
        }

        public static final ValueLayout.OfLong pts$LAYOUT = JAVA_LONG;
        public static final long pts$OFFSET = 8;
        public static final ValueLayout.OfLong dts$LAYOUT = JAVA_LONG;
        public static final long dts$OFFSET = 16;
        /** {@code uint8_t *data}, read as a raw address. */
        public static final ValueLayout.OfLong data$LAYOUT = JAVA_LONG;
        public static final long data$OFFSET = 24;
        public static final ValueLayout.OfInt size$LAYOUT = JAVA_INT;
        public static final long size$OFFSET = 32;
        public static final ValueLayout.OfInt flags$LAYOUT = JAVA_INT;
        public static final long flags$OFFSET = 40;
    }

    private static final class Library {
        static final NativeLibraries.Loaded LOADED = NativeLibraries.loadChecked(SONAME, DEBIAN_PACKAGE, null,
                lookup -> LibAvutil.majorProblem(lookup, SONAME, "avcodec_version", LIBAVCODEC_VERSION_MAJOR,
                        "libavcodec"));
    }

    /** Null when libavcodec 59 (and the libavutil it needs) is usable here; otherwise what is wrong and the fix. */
    public static String unavailableReason() {
        String util = LibAvutil.unavailableReason();
        return util != null ? util : Library.LOADED.problem();
    }

    public static void requireAvailable() {
        LibAvutil.requireAvailable();
        Library.LOADED.require();
    }

    private static final class Handles {
        static final MethodHandle avcodec_version = link("avcodec_version", FunctionDescriptor.of(JAVA_INT));
        static final MethodHandle avcodec_find_encoder_by_name = link("avcodec_find_encoder_by_name",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        static final MethodHandle avcodec_alloc_context3 = link("avcodec_alloc_context3",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
        static final MethodHandle avcodec_free_context = link("avcodec_free_context", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle avcodec_open2 = link("avcodec_open2",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS));
        static final MethodHandle avcodec_send_frame = link("avcodec_send_frame",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        static final MethodHandle avcodec_receive_packet = link("avcodec_receive_packet",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
        static final MethodHandle av_packet_alloc = link("av_packet_alloc", FunctionDescriptor.of(JAVA_LONG));
        static final MethodHandle av_packet_free = link("av_packet_free", FunctionDescriptor.ofVoid(ADDRESS));
        static final MethodHandle av_packet_unref = link("av_packet_unref", FunctionDescriptor.ofVoid(JAVA_LONG));

        private static MethodHandle link(String name, FunctionDescriptor descriptor) {
            requireAvailable();
            return NativeLibraries.downcall(Library.LOADED.lookup(), SONAME, name, descriptor);
        }
    }

    /** {@code LIBAVCODEC_VERSION_INT} of the loaded library. */
    public static int avcodec_version() {
        try {
            return (int) Handles.avcodec_version.invokeExact();
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** The registered encoder of that name ({@code const AVCodec *}), or 0 when this build has none. */
    public static long avcodec_find_encoder_by_name(MemorySegment name) {
        try {
            return (long) Handles.avcodec_find_encoder_by_name.invokeExact(name);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** A context with the codec's defaults (its private options included), or 0. */
    public static long avcodec_alloc_context3(long codec) {
        try {
            return (long) Handles.avcodec_alloc_context3.invokeExact(codec);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** Closes and frees the context at {@code *contextPointer}, with its references, and sets it to NULL. */
    public static void avcodec_free_context(MemorySegment contextPointer) {
        try {
            Handles.avcodec_free_context.invokeExact(contextPointer);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** {@code int avcodec_open2(AVCodecContext *, const AVCodec *, AVDictionary **options)}. */
    public static int avcodec_open2(long context, long codec, MemorySegment options) {
        try {
            return (int) Handles.avcodec_open2.invokeExact(context, codec, options);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static int avcodec_send_frame(long context, long frame) {
        try {
            return (int) Handles.avcodec_send_frame.invokeExact(context, frame);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** 0 with a packet, {@link LibAvutil#AVERROR_EAGAIN} when the encoder wants more input, or an error. */
    public static int avcodec_receive_packet(long context, long packet) {
        try {
            return (int) Handles.avcodec_receive_packet.invokeExact(context, packet);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static long av_packet_alloc() {
        try {
            return (long) Handles.av_packet_alloc.invokeExact();
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    public static void av_packet_free(MemorySegment packetPointer) {
        try {
            Handles.av_packet_free.invokeExact(packetPointer);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }

    /** Releases the packet's buffer (the previous access unit) and resets its fields. */
    public static void av_packet_unref(long packet) {
        try {
            Handles.av_packet_unref.invokeExact(packet);
        } catch (Throwable t) {
            throw NativeLibraries.unreachable(t);
        }
    }
}
