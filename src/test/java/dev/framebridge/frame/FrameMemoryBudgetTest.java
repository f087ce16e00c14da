package dev.framebridge.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The budget several I/O agents share: what {@code stat} shows is what is charged, whatever the threads' timing. */
@Timeout(120)
class FrameMemoryBudgetTest {
    /**
     * Two threads charge at the same moment, round after round (as two I/O agents do when frames arrive on both):
     * once both are done, the gauge must show the sum. Publishing the value each thread computed would let the
     * thread whose charge came first publish last, leaving the smaller value on the gauge until the next change.
     */
    @Test
    void theGaugeShowsEveryChargeWhenTwoThreadsChargeAtOnce() throws Exception {
        AtomicCounter gauge = new AtomicCounter(new UnsafeBuffer(ByteBuffer.allocateDirect(1024)), 0);
        FrameMemoryBudget budget = new FrameMemoryBudget(Long.MAX_VALUE, gauge);
        int rounds = 300_000;
        AtomicLong go = new AtomicLong();
        AtomicLong done = new AtomicLong();
        Thread other = Thread.ofPlatform().daemon().start(() -> {
            for (long r = 1; r <= rounds; r++) {
                while (go.get() < r) {
                    Thread.onSpinWait();
                }
                budget.tryCharge(1);
                done.set(r);
            }
        });
        long wrong = 0;
        String first = null;
        for (long r = 1; r <= rounds; r++) {
            go.set(r);
            budget.tryCharge(1);
            while (done.get() < r) {
                Thread.onSpinWait();
            }
            if (gauge.get() != budget.used()) {
                wrong++;
                if (first == null) {
                    first = "round " + r + ": gauge " + gauge.get() + ", charged " + budget.used();
                }
            }
        }
        other.join();
        assertEquals(2L * rounds, budget.used());
        assertEquals(0, wrong, wrong + " of " + rounds + " rounds left the gauge behind what is charged; first "
                + first);
    }
}
