package dev.framebridge.engine;

import dev.framebridge.frame.FrameSlot;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The state of one connection that both agents see. The slot window is used strictly in order: the I/O agent
 * fills slot {@code submitted % window}, the encode agent answers slot {@code processed % window}, the I/O
 * agent writes slot {@code answered % window}. Everything else is owned by one agent (see
 * {@link IoConnection} and {@link EncodeSession}).
 */
final class Session {
    private static final VarHandle FRAMES_WRITTEN;

    static {
        try {
            FRAMES_WRITTEN = MethodHandles.lookup().findVarHandle(Session.class, "framesWritten", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int index;
    final FrameSlot[] slots;
    final int window;
    int encodeAgent;
    /** This session's encoder threads for {@code stat} (set by its encode agent), or null; the I/O agent allocates it. */
    volatile org.agrona.concurrent.status.AtomicCounter encoderThreads;

    /**
     * Frame answers the I/O agent has finished writing. The encode agent may not call the session's encoder
     * again while an answer that points into the encoder's memory is still being written.
     */
    @SuppressWarnings("unused") // accessed through FRAMES_WRITTEN
    private long framesWritten;

    Session(int index, int window) {
        this.index = index;
        this.window = window;
        this.slots = new FrameSlot[window];
    }

    FrameSlot slot(long sequence) {
        return slots[(int) (sequence % window)];
    }

    long framesWritten() {
        return (long) FRAMES_WRITTEN.getAcquire(this);
    }

    void frameWritten() {
        FRAMES_WRITTEN.setRelease(this, (long) FRAMES_WRITTEN.getOpaque(this) + 1);
    }

    void resetFramesWritten() {
        FRAMES_WRITTEN.setRelease(this, 0L);
    }
}
