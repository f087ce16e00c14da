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
 * that thread and become part of the message. Elsewhere they go to stderr, prefixed "libav:", as libav would print
 * them; info and debug lines are dropped.
 *
 * <p>The callback is installed once per process. It runs only when libav logs (not per frame), formats the line
 * with {@code av_log_format_line2} and never lets an exception out (that would end the process).
 */
final class AvLog {
    private static final Pattern OBJECT_ADDRESS = Pattern.compile(" @ 0x[0-9a-f]+");
    private static final ThreadLocal<StringBuilder> CAPTURE = new ThreadLocal<>();
    private static volatile boolean installed;

    private AvLog() {
    }

    /** Installs the callback (idempotent). */
    static void install() {
        if (installed) {
            return;
        }
        synchronized (AvLog.class) {
            if (installed) {
                return;
            }
            try {
                var target = MethodHandles.lookup().findStatic(AvLog.class, "onLog", MethodType.methodType(void.class,
                        MemorySegment.class, int.class, MemorySegment.class, MemorySegment.class));
                MemorySegment stub = Linker.nativeLinker().upcallStub(target,
                        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
                LibAvutil.av_log_set_callback(stub);
                installed = true;
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Starts collecting this thread's libav warnings and errors; {@link Capture#close} stops. Use with
     * try-with-resources around an open or a probe.
     */
    static Capture capture() {
        install();
        return new Capture(CAPTURE.get());
    }

    /** The lines libav logged on this thread since {@link #capture()}. */
    static final class Capture implements AutoCloseable {
        private final StringBuilder previous;
        private final StringBuilder lines = new StringBuilder();

        private Capture(StringBuilder previous) {
            this.previous = previous;
            CAPTURE.set(lines);
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
            CAPTURE.set(previous);
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
