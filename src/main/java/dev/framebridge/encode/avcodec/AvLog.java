package dev.framebridge.encode.avcodec;

import dev.framebridge.ffi.LibAvutil;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * libav's log, turned into the reasons framebridge reports. libavcodec explains a refusal in its log, not in the
 * error code ({@code avcodec_open2} says only "Invalid argument"; the log says "No usable encoding entrypoint found
 * for profile VAProfileH264High"), so while an encoder opens or is probed its warnings and errors are collected on
 * that thread and become part of the message.
 *
 * <p>Our callback is installed only while some thread is capturing: libav calls the callback for every message
 * whatever its level (libx264 forwards its debug lines per frame), and an upcall into Java makes objects, so the
 * encode path must run with libav's own native callback. Outside captures that default callback prints warnings and
 * errors on stderr (the level is set to warning once, so encoders' info lines — x264's closing statistics — stay
 * quiet). A thread that logs while another captures gets its line on stderr, prefixed "libav:".
 */
final class AvLog {
    private static final Pattern OBJECT_ADDRESS = Pattern.compile(" @ 0x[0-9a-f]+");
    private static final ThreadLocal<StringBuilder> CAPTURE = new ThreadLocal<>();
    private static MemorySegment stub;
    private static int capturing;

    private AvLog() {
    }

    /** Sets libav's log level to warnings and errors (idempotent). */
    static synchronized void install() {
        if (stub != null) {
            return;
        }
        try {
            var target = MethodHandles.lookup().findStatic(AvLog.class, "onLog", MethodType.methodType(void.class,
                    MemorySegment.class, int.class, MemorySegment.class, MemorySegment.class));
            stub = Linker.nativeLinker().upcallStub(target,
                    FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            LibAvutil.av_log_set_level(LibAvutil.AV_LOG_WARNING);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static synchronized void begin() {
        install();
        if (capturing++ == 0) {
            LibAvutil.av_log_set_callback(stub);
        }
    }

    private static synchronized void end() {
        if (--capturing == 0) {
            LibAvutil.av_log_set_callback(LibAvutil.av_log_default_callback());
        }
    }

    /**
     * Starts collecting this thread's libav warnings and errors; {@link Capture#close} stops. Use with
     * try-with-resources around an open or a probe, never around the encode path.
     */
    static Capture capture() {
        return new Capture(CAPTURE.get());
    }

    /** The lines libav logged on this thread since {@link #capture()}. */
    static final class Capture implements AutoCloseable {
        private final StringBuilder previous;
        private final StringBuilder lines = new StringBuilder();
        private boolean closed;

        private Capture(StringBuilder previous) {
            this.previous = previous;
            CAPTURE.set(lines);
            begin();
        }

        /** "" when libav said nothing; else its lines joined with "; ". */
        String text() {
            return lines.toString();
        }

        /** {@code " — libav said: …"} when it said anything, else "": for the end of an error message. */
        String suffix() {
            return lines.isEmpty() ? "" : " — libav said: " + lines;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            CAPTURE.set(previous);
            end();
        }
    }

    @SuppressWarnings("unused") // the upcall target
    private static void onLog(MemorySegment avcl, int level, MemorySegment fmt, MemorySegment vaList) {
        try {
            if (level > LibAvutil.AV_LOG_WARNING) {
                return;
            }
            String line;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment text = arena.allocate(1024);
                MemorySegment printPrefix = arena.allocate(JAVA_INT);
                printPrefix.set(JAVA_INT, 0, 1);
                LibAvutil.av_log_format_line2(avcl, level, fmt, vaList, text, 1024, printPrefix);
                line = OBJECT_ADDRESS.matcher(text.getString(0).strip()).replaceAll("");
            }
            if (line.isEmpty()) {
                return;
            }
            StringBuilder capture = CAPTURE.get();
            if (capture != null) {
                if (!capture.isEmpty()) {
                    capture.append("; ");
                }
                capture.append(line);
            } else {
                System.err.println("libav: " + line);
            }
        } catch (Throwable ignored) {
            // nothing may leave an upcall
        }
    }
}
