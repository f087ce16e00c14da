package dev.framebridge.cli;

import dev.framebridge.encode.RgbToNv12;
import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.Semaphore;

/**
 * For {@code encode}: a thread that converts the RGB frames of a mapped file to NV12 one frame ahead of the encoder,
 * into two buffers used in turn. The encoder {@link #take}s frame i's NV12 while frame i+1 is being converted and
 * {@link #release}s it when the encoder is done with it.
 */
final class ConvertAhead implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] buffers = new MemorySegment[2];
    private final Semaphore free = new Semaphore(2);
    private final Semaphore ready = new Semaphore(0);
    private final Thread thread;
    private volatile boolean stopped;
    private volatile String failure;
    private long taken;

    ConvertAhead(MemorySegment frames, long frameBytes, long count, PixelFormat format, int width, int height,
                 int stride) {
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = arena.allocate(RgbToNv12.bytes(width, height), 64);
        }
        thread = Thread.ofPlatform().name("framebridge-convert").daemon().start(() -> {
            for (long i = 0; i < count && !stopped; i++) {
                free.acquireUninterruptibly();
                if (stopped) {
                    return;
                }
                int rc = RgbToNv12.convertRows(format, frames.address() + i * frameBytes, stride, width, height,
                        buffers[(int) (i & 1)].address(), 0, height & ~1);
                if (rc != 0) {
                    failure = "libyuv refused to convert frame " + i + " (" + rc + ")";
                }
                ready.release();
            }
        });
    }

    /** Frame {@code i}'s NV12 image (frames are taken in order); blocks until it is converted. */
    MemorySegment take() {
        ready.acquireUninterruptibly();
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        return buffers[(int) (taken++ & 1)];
    }

    /** The encoder is done with the image {@link #take} returned last. */
    void release() {
        free.release();
    }

    @Override
    public void close() {
        stopped = true;
        free.release(2);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        arena.close();
    }
}
