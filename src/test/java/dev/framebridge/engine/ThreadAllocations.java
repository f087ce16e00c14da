package dev.framebridge.engine;

import com.sun.management.ThreadMXBean;
import java.util.List;

/**
 * What a set of threads has allocated so far (HotSpot's per-thread counter): the steady-state tests read it before
 * and after each window of frames.
 */
public final class ThreadAllocations {
    private ThreadAllocations() {
    }

    public static long sum(ThreadMXBean mx, List<Thread> threads) {
        long sum = 0;
        for (Thread t : threads) {
            sum += mx.getThreadAllocatedBytes(t.threadId());
        }
        return sum;
    }
}
