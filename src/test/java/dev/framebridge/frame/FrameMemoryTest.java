package dev.framebridge.frame;

import static dev.framebridge.frame.ResidentMemory.mib;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.encode.RgbToNv12;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Frame memory follows the bytes that arrive, within a connection's limit and the engine's, and goes back to the
 * system when released — measured by the budgets and by this process's resident memory.
 */
class FrameMemoryTest {
    private static final long MIB = 1L << 20;
    private static final long CHUNK = GrowingArea.CHUNK;

    private FramePool pool;

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    /** A BGRA frame as a FRAME_REQUEST declares it, converted to NV12 as it arrives (or not). */
    private record Frame(int width, int height, long stride, boolean convert) {
        long bytes() {
            return stride * height;
        }

        long converted() {
            return convert ? RgbToNv12.bytes(width, height) : 0;
        }

        int prepare(FrameSlot slot) {
            return convert
                    ? slot.prepareFrame(bytes(), stride, height, converted(), RgbToNv12.chromaOffset(width, height),
                            RgbToNv12.planeStride(width))
                    : slot.prepareFrame(bytes(), stride, height, 0, 0, 0);
        }

        /** What the slot holds once the frame is in: both areas and their guard pages, in whole chunks. */
        long charged() {
            return GrowingArea.roundUp(bytes() + FrameSlot.GUARD)
                    + (convert ? GrowingArea.roundUp(converted() + FrameSlot.GUARD) : 0);
        }
    }

    private FrameSlot[] take(FrameMemoryBudget total, ConnectionMemory memory, int n, long reserve) {
        if (pool == null) {
            pool = new FramePool(16, total, reserve, null);
        }
        FrameSlot[] slots = new FrameSlot[n];
        assertTrue(pool.take(slots, n, memory));
        return slots;
    }

    /**
     * Receives {@code f}'s pixels from {@code from} to {@code to} the way the I/O agent does: asks how far it may go,
     * writes that far (as recv would), and writes the converted rows that completed (as the converter would).
     * @return where it stopped: {@code to}, or where the budget refused the next chunk
     */
    private static long receive(FrameSlot slot, Frame f, long from, long to, long step) {
        long position = from;
        while (position < to) {
            long end = slot.receivable(position, Math.min(to, position + step));
            if (end < 0) {
                return position;
            }
            assertTrue(end > position, "receivable moves forward");
            slot.pixels().asSlice(position, end - position).fill((byte) 7);
            position = end;
            if (f.convert) {
                long rows = RgbToNv12.convertibleRows((int) (position / f.stride), f.height);
                long plane = RgbToNv12.planeStride(f.width);
                MemorySegment nv12 = slot.converted();
                nv12.asSlice(0, rows * plane).fill((byte) 1);
                nv12.asSlice(RgbToNv12.chromaOffset(f.width, f.height), rows / 2 * plane).fill((byte) 2);
            }
        }
        return position;
    }

    @Test
    void aDeclaredFrameCostsNothingUntilItsBytesArrive() throws Exception {
        FrameMemoryBudget total = new FrameMemoryBudget(4L << 30, null);
        ConnectionMemory memory = new ConnectionMemory(total, 1L << 30);
        FrameSlot[] slots = take(total, memory, 8, 0);
        Frame huge = new Frame(4096, 4095, 4096 * 4, true); // issue 12: 56 bytes on the wire, ~88 MiB declared

        long before = ResidentMemory.ofThisProcess();
        for (FrameSlot slot : slots) {
            assertEquals(ConnectionMemory.GRANTED, huge.prepare(slot));
            assertTrue(slot.frameNeeds() >= huge.bytes(), "the frame will need " + mib(slot.frameNeeds()));
        }
        long grew = ResidentMemory.ofThisProcess() - before;

        assertEquals(0, memory.used(), "nothing charged before a byte arrives");
        assertEquals(0, total.used());
        assertTrue(grew < 16 * MIB, "8 declarations of " + mib(huge.bytes() + huge.converted())
                + " made this process " + mib(grew) + " larger");
    }

    @Test
    void memoryFollowsTheBytesThatArriveAndGoesBackWhenReleased() throws Exception {
        FrameMemoryBudget total = new FrameMemoryBudget(1L << 30, null);
        ConnectionMemory memory = new ConnectionMemory(total, 512 * MIB);
        FrameSlot slot = take(total, memory, 1, 0)[0];
        Frame f = new Frame(4096, 4095, 4096 * 4, true);
        assertEquals(ConnectionMemory.GRANTED, f.prepare(slot));

        long before = ResidentMemory.ofThisProcess();
        long position = 0;
        for (long part = 8 * MIB; position < f.bytes(); part += 8 * MIB) {
            position = receive(slot, f, position, Math.min(part, f.bytes()), 1 * MIB);
            // charged: what arrived, in whole chunks, and the NV12 rows it completes (3/8 as much) in whole chunks
            long bound = GrowingArea.roundUp(position) + FrameSlot.GUARD + CHUNK
                    + GrowingArea.roundUp(position * 3 / 8) + 2 * CHUNK;
            assertTrue(memory.used() <= bound || position == f.bytes(), mib(position) + " in, " + mib(memory.used())
                    + " charged, bound " + mib(bound));
            assertTrue(memory.used() >= position, "a byte is charged before it is received");
        }
        long resident = ResidentMemory.ofThisProcess() - before;
        assertEquals(f.charged(), memory.used(), "a whole frame charges both areas and their guards");
        assertEquals(memory.used(), total.used());
        assertEquals(memory.used(), slot.chargedBytes());
        assertTrue(resident > (f.bytes() + f.converted()) * 9 / 10, "the frame's pages are resident: " + mib(resident));

        long full = ResidentMemory.ofThisProcess();
        slot.releaseMemory();
        long returned = full - ResidentMemory.ofThisProcess();
        assertEquals(0, memory.used());
        assertEquals(0, total.used());
        assertTrue(returned > (f.bytes() + f.converted()) * 9 / 10, "munmap gave " + mib(returned) + " back to the system");
    }

    @Test
    void readsThatComeBackShortOrEmptyDoNotRunTheChargeAhead() {
        FrameMemoryBudget total = new FrameMemoryBudget(1L << 30, null);
        ConnectionMemory memory = new ConnectionMemory(total, 512 * MIB);
        FrameSlot slot = take(total, memory, 1, 0)[0];
        Frame f = new Frame(1024, 4096, 4096, false); // 16 MiB, not converted
        assertEquals(ConnectionMemory.GRANTED, f.prepare(slot));
        long end = slot.receivable(0, f.bytes());
        assertEquals(CHUNK, end);
        for (int read = 0; read < 100; read++) { // a socket with nothing to read, asked again and again
            assertEquals(end, slot.receivable(0, f.bytes()));
            assertEquals(end, slot.receivable(end / 2, f.bytes()));
        }
        assertEquals(CHUNK, memory.used());
        assertEquals(2 * CHUNK, slot.receivable(end, f.bytes()), "the next chunk once the first is full");
        assertEquals(2 * CHUNK, memory.used());
    }

    @Test
    void aFrameLikeTheLastCostsNothingAndALargerOneRemaps() {
        FrameMemoryBudget total = new FrameMemoryBudget(1L << 30, null);
        ConnectionMemory memory = new ConnectionMemory(total, 512 * MIB);
        FrameSlot slot = take(total, memory, 1, 0)[0];
        Frame f = new Frame(1920, 1080, 1920 * 4 + 64, true);
        assertEquals(ConnectionMemory.GRANTED, f.prepare(slot));
        assertEquals(f.bytes(), receive(slot, f, 0, f.bytes(), 256 * 1024));
        long held = memory.used();

        for (int frame = 0; frame < 3; frame++) {
            assertEquals(ConnectionMemory.GRANTED, f.prepare(slot));
            assertEquals(0, slot.frameNeeds());
            assertEquals(f.bytes(), slot.receivable(0, f.bytes()), "all of it may be received at once");
            assertEquals(held, memory.used());
        }

        Frame larger = new Frame(2560, 1440, 2560 * 4, true);
        assertEquals(ConnectionMemory.GRANTED, larger.prepare(slot));
        assertEquals(0, memory.used(), "the smaller areas were unmapped and credited");
        assertEquals(larger.bytes(), receive(slot, larger, 0, larger.bytes(), 4 * MIB));
        assertEquals(larger.charged(), memory.used());
        assertEquals(larger.charged(), total.used());
    }

    @Test
    void aFrameOverTheConnectionLimitIsRefusedBeforeAnythingChanges() {
        FrameMemoryBudget total = new FrameMemoryBudget(1L << 30, null);
        ConnectionMemory memory = new ConnectionMemory(total, 16 * MIB);
        FrameSlot[] slots = take(total, memory, 2, 0);
        Frame small = new Frame(1024, 1024, 4096, false); // 4 MiB
        assertEquals(ConnectionMemory.GRANTED, small.prepare(slots[0]));
        receive(slots[0], small, 0, small.bytes(), 1 * MIB);
        long held = memory.used();

        Frame huge = new Frame(4096, 4095, 4096 * 4, true);
        assertEquals(ConnectionMemory.OVER_CONNECTION_LIMIT, huge.prepare(slots[1]));
        assertEquals(huge.charged(), slots[1].frameNeeds(), "the refusal can say what the frame needed");
        assertSame(MemorySegment.NULL, slots[1].pixels(), "nothing mapped for a refused frame");
        assertEquals(held, memory.used());
        assertEquals(held, total.used());

        Frame fits = new Frame(1024, 2048, 4096, false); // 8 MiB: with the 4 MiB held, within 16 MiB
        assertEquals(ConnectionMemory.GRANTED, fits.prepare(slots[1]));
        Frame tooMany = new Frame(1024, 3072, 4096, false); // 12 MiB + 4 MiB held > 16 MiB
        assertEquals(ConnectionMemory.OVER_CONNECTION_LIMIT, tooMany.prepare(slots[1]));
    }

    @Test
    void theEnginesLimitRefusesTheChunkThatWouldPassItAndOnlyThatConnection() {
        FrameMemoryBudget total = new FrameMemoryBudget(8 * MIB, null);
        ConnectionMemory a = new ConnectionMemory(total, 8 * MIB);
        ConnectionMemory b = new ConnectionMemory(total, 8 * MIB);
        FrameSlot slotA = take(total, a, 1, 0)[0];
        FrameSlot slotB = take(total, b, 1, 0)[0];
        Frame six = new Frame(1024, 1536, 4096, false);
        Frame four = new Frame(1024, 1024, 4096, false);

        assertEquals(ConnectionMemory.GRANTED, six.prepare(slotA));
        assertEquals(3 * MIB, receive(slotA, six, 0, 3 * MIB, MIB), "a: half of its frame");
        assertEquals(ConnectionMemory.OVER_TOTAL_LIMIT, six.prepare(slotB), "b's frame cannot fit next to a's now");
        assertEquals(ConnectionMemory.GRANTED, four.prepare(slotB), "a smaller one can");
        assertEquals(four.bytes(), receive(slotB, four, 0, four.bytes(), MIB));

        long stopped = receive(slotA, six, 3 * MIB, six.bytes(), MIB);
        assertTrue(stopped < six.bytes(), "a is refused part-way, at " + mib(stopped));
        assertTrue(slotA.receivable(stopped, six.bytes()) == -ConnectionMemory.OVER_TOTAL_LIMIT);
        assertTrue(total.used() <= total.limit(), "never past the limit: " + mib(total.used()));
        slotA.releaseMemory();
        assertEquals(0, a.used());
        assertEquals(b.used(), total.used(), "b keeps its frame");
        assertEquals(four.charged(), b.used());
    }

    @Test
    void closedSessionsKeepOnlyTheWarmReserveAndTheNextSessionGetsItFirst() {
        FrameMemoryBudget total = new FrameMemoryBudget(1L << 30, null);
        Frame f = new Frame(1024, 1024, 4096, false); // 4 MiB + guard = 4.25 MiB a slot
        pool = new FramePool(8, total, 10 * MIB, null);
        FrameSlot[][] sessions = new FrameSlot[3][2];
        for (FrameSlot[] session : sessions) {
            ConnectionMemory m = new ConnectionMemory(total, 64 * MIB);
            assertTrue(pool.take(session, 2, m));
            for (FrameSlot slot : session) {
                assertEquals(ConnectionMemory.GRANTED, f.prepare(slot));
                receive(slot, f, 0, f.bytes(), 2 * MIB);
            }
            assertEquals(2 * f.charged(), m.used());
        }
        assertEquals(6 * f.charged(), total.used());

        for (FrameSlot[] session : sessions) {
            pool.give(session, 2);
        }
        assertEquals(2 * f.charged(), pool.warmBytes(), "two slots fit the 10 MiB reserve, four were unmapped");
        assertEquals(pool.warmBytes(), total.used());

        ConnectionMemory next = new ConnectionMemory(total, 64 * MIB);
        FrameSlot[] taken = new FrameSlot[2];
        assertTrue(pool.take(taken, 2, next));
        assertEquals(2 * f.charged(), next.used(), "the warm slots came first, their memory now the session's");
        assertEquals(0, pool.warmBytes());
        assertEquals(ConnectionMemory.GRANTED, f.prepare(taken[0]));
        assertEquals(0, taken[0].frameNeeds(), "and a frame like the last one costs nothing");
        pool.give(taken, 2);

        ConnectionMemory tight = new ConnectionMemory(total, 4 * MIB);
        assertTrue(pool.take(taken, 2, tight));
        assertEquals(0, tight.used(), "warm memory that does not fit the new connection's limit is released");
        assertEquals(0, total.used());
    }
}
