package dev.framebridge.encode;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * The encoders' steady-state allocation measurement: a warm-up, then per-thread heap bytes allocated over five
 * windows of 200 frames. Tests assert the median window, not every one: while the JIT is still settling a window
 * occasionally shows one ~1 KB one-off, while a single 16-byte object per frame puts every window at ≥ 3200 bytes.
 */
final class AllocationWindows {
    static final int WARM_FRAMES = 1500;
    static final int WINDOW_FRAMES = 200;
    static final int WINDOWS = 5;
    static final long ALLOWED_BYTES = 256;

    /** One frame's work: {@code i} counts frames from 0 within the warm-up and within each window. */
    interface Frame {
        void encode(int i, long pts) throws Exception;
    }

    /** Bytes allocated in each window, and the time per frame over all windows. */
    record Result(long[] perWindow, double msPerFrame) {
        long median() {
            long[] sorted = perWindow.clone();
            Arrays.sort(sorted);
            return sorted[WINDOWS / 2];
        }

        String windows() {
            return Arrays.toString(perWindow);
        }
    }

    private AllocationWindows() {
    }

    static Result measure(Frame frame) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long pts = 0;
        for (int i = 0; i < WARM_FRAMES; i++) {
            frame.encode(i, pts += 33_333_333L);
        }
        long[] allocated = new long[WINDOWS];
        long start = System.nanoTime();
        for (int w = 0; w < WINDOWS; w++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < WINDOW_FRAMES; i++) {
                frame.encode(i, pts += 33_333_333L);
            }
            allocated[w] = threads.getCurrentThreadAllocatedBytes() - before;
        }
        return new Result(allocated, (System.nanoTime() - start) / 1e6 / (WINDOWS * WINDOW_FRAMES));
    }
}
