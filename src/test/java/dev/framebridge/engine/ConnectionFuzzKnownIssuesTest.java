package dev.framebridge.engine;

import java.io.InputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Inputs the connection fuzzer found that fail on today's engine, replayed with the strict rule. Disabled until the
 * engine is fixed (the fault is outside the decoder, in the engine's reader: reported to the lead); enable a test
 * together with its fix, then turn the matching tolerance in {@link ConnectionFuzzTest} off.
 */
class ConnectionFuzzKnownIssuesTest {
    @AfterAll
    static void closeEngines() throws Exception {
        ConnectionFuzzTest.closeEngines();
    }

    /**
     * Hand-off layout (encode threads): the client sends a complete 16x16 FRAME_REQUEST, then 300 bytes of a second
     * one, and half-closes at once. RequestReader.receive sees end of stream mid-message and closes the connection
     * ("peer hung up in the middle of a message"), dropping the first request's answer, which is still with the
     * encode agent; the client, still reading, gets end of stream and no answer. The inline layout answers it
     * (it encodes before reading on). Expected: answer what is in flight, then close — as the clean half-close does.
     */
    @Disabled("engine fault reported to the lead: answers in flight are dropped when the peer half-closes mid-message")
    @Test
    void answersInFlightSurviveAHalfCloseMidMessage() throws Exception {
        ConnectionFuzzTest strict = new ConnectionFuzzTest();
        strict.tolerateDropOnHalfCloseMidMessage = false;
        strict.everyRequestIsAnsweredOnceInOrderAndNothingLeaks(input("answers-in-flight-dropped-when-the-peer-half-closes-mid-message"));
    }

    private static byte[] input(String name) throws Exception {
        try (InputStream in = ConnectionFuzzKnownIssuesTest.class.getResourceAsStream("ConnectionFuzzKnownIssues/" + name)) {
            return in.readAllBytes();
        }
    }
}
