package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.NativeSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The host's encoder thread budget: each open encoder's share of the cores, decided at open and at the next IDR. */
class EncoderThreadBudgetTest {
    private static final int CORES = 8;
    private static final int W = 128;
    private static final int H = 96;

    @TempDir
    Path dir;
    private ByHandEngine engine;
    private int pts;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void theSharesOfAnyNumberOfEncodersAddUpToTheCoresAtMost() {
        for (int cores : new int[] {1, 2, 4, 16, 64}) {
            EncoderThreadBudget budget = new EncoderThreadBudget(0, cores, null, null);
            assertEquals(cores, budget.share(1), "one session gets every core");
            for (int n = 1; n <= 4 * cores; n++) {
                int each = budget.share(n);
                assertTrue(each >= 1, "every encoder gets a thread");
                // Past one thread each the sum can only exceed the cores by one thread per session over the count.
                assertTrue((long) each * n <= Math.max(cores, n), n + " encoders on " + cores + " cores: " + each + " each");
            }
        }
    }

    @Test
    void anExplicitThreadCountOverridesTheShare() {
        EncoderThreadBudget budget = new EncoderThreadBudget(3, 16, null, null);
        assertEquals(3, budget.share(1));
        assertEquals(3, budget.share(12));
    }

    @ParameterizedTest(name = "encode agents: {0}")
    @ValueSource(ints = {0, 2})
    void fourSessionsEachGetAQuarterOfTheCoresOnceTheirNextIdrComes(int encodeAgents) throws Exception {
        ByHandEngine e = start(c -> c.encodeAgents(encodeAgents));
        List<NativeSocket> clients = new ArrayList<>();
        int[] expectedAtOpen = {8, 4, 2, 2}; // 8 cores / 1, 2, 3, 4 open encoders
        for (int i = 0; i < 4; i++) {
            NativeSocket client = e.connect();
            clients.add(client);
            frame(client);
            assertEquals(expectedAtOpen[i], threadsOf(i), "session " + i + " at open");
        }
        assertEquals(16, e.counter(CounterId.ENCODER_THREADS), "before their IDRs the first sessions keep their share");
        assertTrue(e.log().contains("session 0: encoder opened with 8 sliced threads (budget: 8 cores / 1 open encoders)"),
                e.log());

        // A keyframe the clients force is where each encoder is reopened with its share.
        for (NativeSocket client : clients) {
            e.send(client, HxfrBytes.headerOnly(Hxfr.MSG_KEYFRAME_REQ, 7));
            frame(client);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(2, threadsOf(i), "session " + i + " after its IDR");
        }
        assertEquals(8, e.counter(CounterId.ENCODER_THREADS), "the sum tracks the cores");
        assertTrue(e.log().contains("session 0: encoder reopened at an IDR, 8 -> 2 sliced threads"), e.log());
        for (NativeSocket client : clients) {
            assertTrue(new ByHandEngine.Received(client).poll().stream().allMatch(a -> a.type() == Hxfr.MSG_FRAME_RESPONSE));
        }

        // Sessions that close give their threads back; the one left grows at the IDR its keyframe interval brings.
        for (int i = 1; i < 4; i++) {
            clients.get(i).close();
        }
        e.settle();
        assertEquals(2, e.counter(CounterId.ENCODER_THREADS));
        for (int f = 0; f < 61; f++) {
            frame(clients.get(0));
        }
        assertEquals(8, threadsOf(0), "back to every core at the IDR the keyframe interval placed");
        assertEquals(8, e.counter(CounterId.ENCODER_THREADS));
    }

    @Test
    void withEncoderThreadsGivenEverySessionGetsThatMany() throws Exception {
        ByHandEngine e = start(c -> c.encoderThreads(3));
        for (int i = 0; i < 4; i++) {
            frame(e.connect());
            assertEquals(3, threadsOf(i));
        }
        assertEquals(12, e.counter(CounterId.ENCODER_THREADS));
        assertTrue(e.log().contains("encoder opened with 3 sliced threads (--encoder-threads 3)"), e.log());
    }

    private ByHandEngine start(UnaryOperator<EngineConfig> tweak) throws Exception {
        engine = new ByHandEngine(dir, c -> tweak.apply(c.threadBudgetCores(CORES).maxConnections(4).encodeAgents(0)));
        return engine;
    }

    private void frame(NativeSocket client) throws Exception {
        pts++;
        engine.send(client, HxfrBytes.frame(PixelFormat.NV12, W, H, W, pts, HxfrBytes.pixels(PixelFormat.NV12, W, H, pts), 0));
        engine.settle();
        new ByHandEngine.Received(client).poll(); // keep the answers flowing
    }

    private long threadsOf(int session) {
        return engine.agents.sessions[session].encoderThreads.get();
    }
}
