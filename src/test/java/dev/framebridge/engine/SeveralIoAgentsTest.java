package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.NativeSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several I/O agents ({@code --io-agents}): newcomers go to the agent with the most free sessions (a single guest to
 * agent 0, as with one agent), each agent answers its connections' requests in order, a full engine still refuses
 * with a reason, and a layout that would leave an agent without an encoder is refused at start.
 */
@Timeout(120)
class SeveralIoAgentsTest {
    @TempDir
    Path dir;
    private ByHandEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void oneGuestLandsOnTheFirstAgentAndMoreAreSpreadEvenly() throws Exception {
        engine = new ByHandEngine(dir, c -> c.ioAgents(2).maxConnections(8));
        IoAgent first = engine.agents.ios[0];
        IoAgent second = engine.agents.ios[1];
        engine.connect();
        assertEquals(1, first.sessionsHeld(), "a single guest is agent 0's, as with one agent");
        assertEquals(0, second.sessionsHeld());
        engine.connect();
        engine.connect();
        engine.connect();
        assertEquals(2, first.sessionsHeld(), "four guests: two per agent");
        assertEquals(2, second.sessionsHeld());
        assertEquals(4, engine.counter(CounterId.CONNECTIONS_ACTIVE), "active counts every agent's connections");
        assertTrue(engine.log().contains("I/O agent 1"), engine.log());
    }

    @Test
    void aClosedGuestsSessionComesBackToItsAgent() throws Exception {
        engine = new ByHandEngine(dir, c -> c.ioAgents(2).maxConnections(4));
        NativeSocket a = engine.connect();
        NativeSocket b = engine.connect();
        assertEquals(1, engine.agents.ios[1].sessionsHeld());
        b.close();
        engine.settle();
        assertEquals(0, engine.agents.ios[1].sessionsHeld(), "the session is free again once the encoder let go");
        assertEquals(1, engine.counter(CounterId.CONNECTIONS_ACTIVE));
        engine.connect();
        assertEquals(1, engine.agents.ios[1].sessionsHeld(), "the newcomer goes where the free session is");
        a.close();
    }

    @Test
    void aFullEngineRefusesWithAReasonWhicheverAgentIsAsked() throws Exception {
        engine = new ByHandEngine(dir, c -> c.ioAgents(2).maxConnections(2));
        engine.connect();
        engine.connect();
        NativeSocket third = engine.connect();
        ByHandEngine.Received r = new ByHandEngine.Received(third);
        for (int i = 0; i < 100 && !r.ended(); i++) {
            engine.cycle();
            r.poll();
        }
        assertTrue(r.ended(), "the newcomer is closed");
        assertEquals(1, engine.counter(CounterId.CONNECTIONS_REFUSED));
        assertEquals(2, engine.counter(CounterId.CONNECTIONS_ACTIVE));
    }

    @Test
    void anAgentWithoutAnEncoderIsRefusedAtStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EngineConfig()
                .listen(Endpoint.parse("unix:" + dir.resolve("x.sock"))).ioAgents(4).encodeAgents(2).conclude());
        assertTrue(e.getMessage().contains("--encode-threads 0 or at least 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EngineConfig()
                .listen(Endpoint.parse("unix:" + dir.resolve("x.sock"))).ioAgents(8).maxConnections(4).conclude());
        assertTrue(e.getMessage().contains("--io-agents 8 exceeds --max-connections 4"), e.getMessage());
    }

    @ParameterizedTest(name = "encode threads: {0}")
    @ValueSource(ints = {0, 2})
    void fourGuestsOnTwoAgentsEachGetEveryAnswerInOrder(int encodeThreads) throws Exception {
        int frames = 60;
        try (EngineHarness h = new EngineHarness(dir, c -> c.ioAgents(2).encodeAgents(encodeThreads).encoderThreads(1));
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<String>> guests = new ArrayList<>();
            for (int g = 0; g < 4; g++) {
                int guest = g;
                guests.add(pool.submit(() -> {
                    try (HxfrClient client = h.connect(h.unix);
                         EngineHarness.Pattern p = new EngineHarness.Pattern(160 + 16 * guest, 96)) {
                        // two requests in flight, as a guest streams: answers must come back in request order
                        for (int i = 0; i < frames + 1; i++) {
                            if (i < frames) {
                                client.sendFrame(p.frame(i), p.bytes(), p.width, p.height, p.format, p.stride, 1000L * guest + i,
                                        i == 0);
                            }
                            if (i > 0) {
                                HxfrClient.Answer a = client.readAnswer();
                                if (!a.isFrame() || a.pts() != 1000L * guest + i - 1) {
                                    return "guest " + guest + " answer " + (i - 1) + ": " + a;
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<String> g : guests) {
                String failure = g.get();
                assertEquals(null, failure, failure);
            }
            h.awaitCounter(CounterId.FRAMES_OUT, 4 * frames); // counted once each write returns
            assertEquals(2, h.counter(CounterId.IO_AGENTS));
            assertTrue(h.log().contains("2 I/O agents"), h.log());
        }
    }
}
