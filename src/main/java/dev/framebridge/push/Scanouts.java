package dev.framebridge.push;

import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.qemu.ConsoleFrame;
import dev.framebridge.qemu.QemuDisplay;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Push mode's scanouts: HXFR scanout id N is the VM's console N - 1 (HXFR's 0 is the VM's own display and the
 * decoder refuses it), each with its {@link PushSource} running on a thread of its own. ENABLE_SCANOUT and
 * DISABLE_SCANOUT reach the VM as head sizes through {@link HeadControl} (QEMU's SetUIInfo). Built once at start;
 * the table never changes afterwards, so the engine's agents read it without locks. A console that ends (QEMU quit)
 * keeps its slot and refuses new subscribers with the reason.
 */
public final class Scanouts implements AutoCloseable {
    /** The highest scanout id HXFR allows (ENABLE_SCANOUT: 1..15). */
    public static final int MAX_SCANOUT_ID = 15;

    /** Passes a head size to the VM: {@code requestHead(console, 0, 0)} takes it away. */
    @FunctionalInterface
    public interface HeadControl {
        /** @return false when the VM has no such console */
        boolean requestHead(int console, int width, int height);
    }

    private static final Scanouts NONE = new Scanouts(List.of(), (c, w, h) -> false, null, 60, null, l -> { },
            "push mode is off: serve was started without --qemu-display");

    private final PushSource[] sources = new PushSource[MAX_SCANOUT_ID + 1];
    private final String[] connectorNames = new String[MAX_SCANOUT_ID + 1];
    private final Thread[] threads = new Thread[MAX_SCANOUT_ID + 1]; // by scanout id; null: not started
    private final HeadControl heads;
    private final QemuDisplay display;
    private final Consumer<String> log;
    private final String offReason;
    private final String description;

    private Scanouts(List<ConsoleFrame> frames, HeadControl heads, EncoderBackend backend, int fps,
                     QemuDisplay display, Consumer<String> log, String offReason) {
        this.heads = heads;
        this.display = display;
        this.log = log;
        this.offReason = offReason;
        StringBuilder described = new StringBuilder();
        for (ConsoleFrame frame : frames) {
            int id = frame.console() + 1;
            if (id > MAX_SCANOUT_ID) {
                log.accept("console " + frame.console() + " is not pushed: HXFR scanout ids end at " + MAX_SCANOUT_ID);
                continue;
            }
            sources[id] = new PushSource(frame, backend, fps, log);
            connectorNames[id] = "Virtual-" + id;
            described.append(described.isEmpty() ? "" : ", ").append("scanout ").append(id).append(" = console ")
                    .append(frame.console());
        }
        this.description = described.toString();
    }

    /** No push mode: every SUBSCRIBE and ENABLE_SCANOUT is refused, saying how to turn it on. */
    public static Scanouts none() {
        return NONE;
    }

    /**
     * Attaches to QEMU's D-Bus display at {@code address} (see {@link QemuDisplay#attach}) and starts a push source
     * per console, encoding at most {@code fps} frames a second.
     */
    public static Scanouts attach(String address, int fps, EncoderBackend backend, Consumer<String> log)
            throws IOException {
        checkFps(fps);
        QemuDisplay display = QemuDisplay.attach(address, log);
        try {
            Scanouts s = new Scanouts(display.frames(), display::requestHead, backend, fps, display, log, null);
            s.start();
            return s;
        } catch (RuntimeException e) {
            display.close();
            throw e;
        }
    }

    /** Push sources over frames the caller feeds (tests, embedding): the caller owns and releases the frames. */
    public static Scanouts of(List<ConsoleFrame> frames, HeadControl heads, int fps, EncoderBackend backend,
                              Consumer<String> log) {
        checkFps(fps);
        Scanouts s = new Scanouts(frames, heads, backend, fps, null, log, null);
        s.start();
        return s;
    }

    private static void checkFps(int fps) {
        if (fps < 1 || fps > 240) {
            throw new IllegalArgumentException("--push-fps " + fps + " is outside 1-240");
        }
    }

    private void start() {
        for (int id = 1; id <= MAX_SCANOUT_ID; id++) {
            if (sources[id] != null) {
                threads[id] = Thread.ofPlatform().name("framebridge-push-" + id).daemon().start(sources[id]);
            }
        }
    }

    /** What is pushed, for the start line: "scanout 1 = console 0, ...". */
    public String describe() {
        return description.isEmpty() ? "no consoles" : description;
    }

    public boolean isOff() {
        return offReason != null;
    }

    /** The source behind scanout {@code id}, or null. */
    public PushSource source(long id) {
        return id >= 1 && id <= MAX_SCANOUT_ID ? sources[(int) id] : null;
    }

    /** Runs {@code wake} after every publish of every source (the engine's I/O agent). */
    public void onPublish(Runnable wake) {
        for (PushSource s : sources) {
            if (s != null) {
                s.onPublish(wake);
            }
        }
    }

    /**
     * Whether scanout {@code id} takes a subscriber now; when not, the reason is logged (a control message, not a
     * frame: the string is built only here).
     */
    public boolean subscribable(long id) {
        String why = refusal(id);
        if (why != null) {
            log.accept("SUBSCRIBE to scanout " + id + " refused: " + why);
        }
        return why == null;
    }

    private String refusal(long id) {
        if (offReason != null) {
            return offReason;
        }
        PushSource s = source(id);
        if (s == null) {
            return "no such scanout (this VM has " + describe() + ")";
        }
        return s.ended();
    }

    /** ENABLE_SCANOUT: asks the VM for a head of this size on the scanout's console; false (logged) if unknown. */
    public boolean enable(long id, long width, long height) {
        String why = refusal(id);
        if (why == null && !heads.requestHead(sources[(int) id].frame().console(), (int) width, (int) height)) {
            why = "the VM's display is gone";
        }
        if (why != null) {
            log.accept("ENABLE_SCANOUT " + id + " (" + width + "x" + height + ") refused: " + why);
        }
        return why == null;
    }

    /** DISABLE_SCANOUT: takes the head away again (no answer in HXFR). */
    public void disable(long id) {
        if (refusal(id) == null) {
            heads.requestHead(sources[(int) id].frame().console(), 0, 0);
        }
    }

    /** The connector name SCANOUT_RESP gives ({@code Virtual-N}, as the guest's virtio-gpu driver names head N-1). */
    public String connectorName(long id) {
        return id >= 1 && id <= MAX_SCANOUT_ID && connectorNames[(int) id] != null ? connectorNames[(int) id] : "";
    }

    /** The QEMU attachment, or null when the frames are fed otherwise. */
    public QemuDisplay display() {
        return display;
    }

    @Override
    public void close() {
        if (this == NONE) {
            return;
        }
        for (PushSource s : sources) {
            if (s != null) {
                s.stop();
            }
        }
        // Each source's memory is freed only once its thread has ended, whether or not the caller is interrupted
        // (a JUnit timeout, an executor shutting down): freeing it under a running encode is a SIGSEGV. A thread
        // still running after 5 s keeps its source: a leak, logged, rather than a crash.
        boolean interrupted = false;
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (Thread t : threads) {
            while (t != null && t.isAlive() && deadline - System.nanoTime() > 0) {
                try {
                    t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        for (int id = 0; id < sources.length; id++) {
            if (sources[id] != null) {
                if (threads[id] != null && threads[id].isAlive()) {
                    log.accept("push for scanout " + id + " did not stop within 5 s; its frame memory is left mapped");
                } else {
                    sources[id].close();
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (display != null) {
            display.close();
        }
    }
}
