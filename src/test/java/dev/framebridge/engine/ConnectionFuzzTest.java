package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.framebridge.ffi.ErrnoException;
import dev.framebridge.transport.NativeSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;

/**
 * A client's bytes, split into writes where the fuzzer chooses, into the real engine (I/O agent, request reader,
 * x264 through the encode agent, both layouts), driven by hand on this thread ({@link HandDrivenEngine}). Checked on
 * every input: each message the client is owed an answer gets exactly one, in order, and nothing else comes
 * ({@link ConnectionScript} says what is owed from HXFR framing alone); every answer is well-formed HXFR
 * ({@link AnswerStream}); the connection ends within a bounded time; afterwards the engine holds nothing (slots
 * back in the pool, nothing in flight, no connection open).
 *
 * <p>The engine runs with small limits (64x64 frames, 64 KiB payloads) so x264 stays cheap and a declared size
 * can be reached by an input. Every test run replays {@code ConnectionFuzzTestInputs/}; {@code bin/fuzz connection
 * SECONDS} fuzzes (README, "Fuzzing").
 */
class ConnectionFuzzTest {
    static final long MAX_PAYLOAD = 64 * 1024;
    static final int MAX_DIMENSION = 64;
    /** No input needs this long between two signs of progress; past it the engine is taken to hang. */
    private static final long HANG_NS = 5_000_000_000L;

    private static Path dir;
    /** SO_SNDBUF for the small-buffer variant: the kernel doubles it and a few answers fill it. */
    private static final int SMALL_SEND_BUFFER = 2048;
    private static final HandDrivenEngine[] ENGINES = new HandDrivenEngine[8];
    private static final MemorySegment BUFFER = Arena.global().allocate(64 * 1024);

    private final byte[] received = new byte[1 << 20];
    private int receivedLength;
    /**
     * Known issue, reported to the lead (ConnectionFuzzKnownIssuesTest reproduces it): a client that half-closes in
     * the middle of a message loses the answers not yet written — still with the encode agent, or waiting for socket
     * space — because the engine closes at once instead of answering them first. Tolerated here, only when the
     * stream ends mid-message and for at most a window of answers, all at the end, so that fuzzing goes on finding
     * other faults; false makes the rule strict.
     */
    boolean tolerateDropOnHalfCloseMidMessage = true;

    @FuzzTest(maxDuration = "5m")
    void everyRequestIsAnsweredOnceInOrderAndNothingLeaks(byte[] input) throws Exception {
        ConnectionScript script = ConnectionScript.of(input, MAX_PAYLOAD);
        HandDrivenEngine engine = engine(script.handOff, script.convertOnArrival, script.smallSendBuffer);
        receivedLength = 0;
        NativeSocket client = engine.connect();
        try {
            boolean open = send(engine, client, script);
            if (script.abortAtEnd) {
                client.close(); // gone without reading: the engine must let go of everything all the same
            } else {
                if (open) {
                    client.shutdownOutput();
                }
                readUntilClosed(engine, client);
                AnswerStream answers = AnswerStream.parse(received, receivedLength);
                boolean knownDrop = tolerateDropOnHalfCloseMidMessage && script.endsMidMessage;
                assertNull(answers.problem(script.expected, knownDrop ? EngineConfig.DEFAULT_MAX_IN_FLIGHT : 0), "answers");
            }
        } finally {
            client.close();
        }
        awaitNothingHeld(engine);
    }

    /** Writes the stream in the script's chunks, letting the engine run and reading answers between them. */
    private boolean send(HandDrivenEngine engine, NativeSocket client, ConnectionScript script) throws Exception {
        byte[] stream = script.stream;
        int pos = 0;
        for (int chunk = 0; pos < stream.length; chunk++) {
            int n = script.chunkAt(chunk, stream.length - pos);
            MemorySegment.copy(stream, pos, BUFFER, ValueLayout.JAVA_BYTE, 0, n);
            int written = 0;
            long lastProgress = System.nanoTime();
            while (written < n) {
                long w;
                try {
                    w = client.write(BUFFER, written, n - written);
                } catch (ErrnoException e) {
                    return false; // the engine closed first (framing lost): what it answered is still to be read
                }
                if (w > 0) {
                    written += (int) w;
                    lastProgress = System.nanoTime();
                } else {
                    runEngine(engine, client, true);
                    hangCheck(lastProgress, "the engine stopped reading with " + (n - written) + " bytes of a write left");
                }
            }
            pos += n;
            if (pos < stream.length || !script.halfCloseAtOnce) {
                runEngine(engine, client, !script.readAtEnd);
            }
        }
        return true;
    }

    /** Runs the engine until a cycle finds nothing to do, reading what it answered meanwhile if {@code read}. */
    private void runEngine(HandDrivenEngine engine, NativeSocket client, boolean read) throws Exception {
        long start = System.nanoTime();
        for (int idle = 0; idle < 2; ) {
            idle = engine.pump() > 0 ? 0 : idle + 1;
            if (read) {
                readAvailable(client);
            }
            hangCheck(start, "the engine never ran out of work");
        }
    }

    private void readUntilClosed(HandDrivenEngine engine, NativeSocket client) throws Exception {
        long lastProgress = System.nanoTime();
        while (true) {
            int before = receivedLength;
            int work = engine.pump();
            if (!readAvailable(client)) {
                return;
            }
            if (work > 0 || receivedLength != before) {
                lastProgress = System.nanoTime();
            }
            hangCheck(lastProgress, "the connection was neither answered nor closed; " + receivedLength
                    + " bytes of answers so far");
        }
    }

    /** Reads what has arrived; false at end of stream. */
    private boolean readAvailable(NativeSocket client) throws ErrnoException {
        while (true) {
            long n;
            try {
                n = client.read(BUFFER, 0, BUFFER.byteSize());
            } catch (ErrnoException e) {
                fail("the engine reset the connection instead of closing it: " + e.getMessage());
                return false;
            }
            if (n < 0) {
                return false;
            }
            if (n == 0) {
                return true;
            }
            if (receivedLength + n > received.length) {
                fail("more than " + received.length + " bytes of answers to a " + BUFFER.byteSize() + "-byte input");
            }
            MemorySegment.copy(BUFFER, ValueLayout.JAVA_BYTE, 0, received, receivedLength, (int) n);
            receivedLength += (int) n;
        }
    }

    private static void awaitNothingHeld(HandDrivenEngine engine) throws Exception {
        long start = System.nanoTime();
        String held;
        while ((held = engine.held()) != null) {
            engine.pump();
            hangCheck(start, "after the connection closed the engine still holds: " + held);
        }
    }

    private static void hangCheck(long lastProgress, String what) {
        if (System.nanoTime() - lastProgress > HANG_NS) {
            fail("no progress for " + HANG_NS / 1_000_000 + " ms: " + what);
        }
    }

    private static synchronized HandDrivenEngine engine(boolean handOff, boolean convert, boolean smallSendBuffer)
            throws Exception {
        int i = (handOff ? 1 : 0) | (convert ? 2 : 0) | (smallSendBuffer ? 4 : 0);
        if (ENGINES[i] == null) {
            if (dir == null) {
                dir = Files.createTempDirectory("framebridge-fuzz");
            }
            ENGINES[i] = new HandDrivenEngine(dir, (handOff ? "handoff" : "inline") + (convert ? "-convert" : "")
                    + (smallSendBuffer ? "-small" : ""), MAX_PAYLOAD, MAX_DIMENSION, !handOff, convert,
                    smallSendBuffer ? SMALL_SEND_BUFFER : 0);
        }
        return ENGINES[i];
    }

    @AfterAll
    static synchronized void closeEngines() throws Exception {
        for (int i = 0; i < ENGINES.length; i++) {
            if (ENGINES[i] != null) {
                ENGINES[i].close();
                ENGINES[i] = null;
            }
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
            dir = null;
        }
    }
}
