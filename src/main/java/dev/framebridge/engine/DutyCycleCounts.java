package dev.framebridge.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many duty cycles an agent ran and how often its idle strategy parked the thread. Written by the agent's own
 * thread only (a plain increment published with release semantics, no atomic read-modify-write), read by anyone:
 * tests prove an idle agent parks on every idle cycle from these counts rather than from CPU time over a sleep.
 */
final class DutyCycleCounts {
    private final AtomicLong cycles = new AtomicLong();
    private final AtomicLong parks = new AtomicLong();

    /** Agent thread: one duty cycle began. */
    void cycle() {
        cycles.setRelease(cycles.getPlain() + 1);
    }

    /** Agent thread: the idle strategy is about to park the thread. */
    void parked() {
        parks.setRelease(parks.getPlain() + 1);
    }

    long cycles() {
        return cycles.getAcquire();
    }

    long parks() {
        return parks.getAcquire();
    }
}
