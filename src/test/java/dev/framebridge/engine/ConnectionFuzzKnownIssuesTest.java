package dev.framebridge.engine;

import java.io.InputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Inputs the connection fuzzer found that failed on the engine of their day, each replayed as a named regression once
 * fixed. A new finding goes here disabled until its fix (the fuzz test itself holds no tolerance for it).
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
     * (it encodes before reading on). Fixed: the partial message is dropped, what is in flight answered, then the
     * connection closes — as the clean half-close does (IoAgentTest reproduces it step by step).
     */
    @Test
    void answersInFlightSurviveAHalfCloseMidMessage() throws Exception {
        new ConnectionFuzzTest().everyRequestIsAnsweredOnceInOrderAndNothingLeaks(input("answers-in-flight-dropped-when-the-peer-half-closes-mid-message"));
    }

    private static byte[] input(String name) throws Exception {
        try (InputStream in = ConnectionFuzzKnownIssuesTest.class.getResourceAsStream("ConnectionFuzzKnownIssues/" + name)) {
            return in.readAllBytes();
        }
    }
}
