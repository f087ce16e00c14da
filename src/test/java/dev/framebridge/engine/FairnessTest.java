package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.transport.NativeSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Equal clients get equal service: four clients that always have frames waiting (their sockets kept full) on one
 * I/O agent and one encode agent, inline or not. None gets less than 0.9 of another's answers.
 */
class FairnessTest {
    private static final int CLIENTS = 4;
    private static final int W = 160;
    private static final int H = 120;
    private static final int ANSWERS = 400;

    @TempDir
    Path dir;
    private ByHandEngine engine;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        arena.close();
    }

    @ParameterizedTest(name = "encode agents: {0}")
    @ValueSource(ints = {0, 1})
    void fourEqualClientsEachGetWithinPointNineOfTheOthersAnswers(int encodeAgents) throws Exception {
        fourEqualClients(c -> c.encodeAgents(encodeAgents).maxConnections(CLIENTS));
    }

    @ParameterizedTest(name = "encode agents: {0}")
    @ValueSource(ints = {0, 2})
    void fourEqualClientsOnTwoIoAgentsEachGetWithinPointNineOfTheOthersAnswers(int encodeAgents) throws Exception {
        fourEqualClients(c -> c.ioAgents(2).encodeAgents(encodeAgents).maxConnections(CLIENTS));
    }

    private void fourEqualClients(java.util.function.UnaryOperator<EngineConfig> layout) throws Exception {
        engine = new ByHandEngine(dir, layout);
        byte[] frame = HxfrBytes.frame(PixelFormat.BGRA8888, W, H, W * 4, 1,
                HxfrBytes.pixels(PixelFormat.BGRA8888, W * 4, H, 1), 0);
        MemorySegment bytes = arena.allocate(frame.length);
        MemorySegment.copy(frame, 0, bytes, ValueLayout.JAVA_BYTE, 0, frame.length);
        NativeSocket[] clients = new NativeSocket[CLIENTS];
        ByHandEngine.Received[] received = new ByHandEngine.Received[CLIENTS];
        long[] offset = new long[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            clients[i] = engine.connect();
            received[i] = new ByHandEngine.Received(clients[i]);
        }
        int[] answers = new int[CLIENTS];
        int total = 0;
        for (int cycle = 0; total < ANSWERS && cycle < 1_000_000; cycle++) {
            // Every client keeps its socket full of frames (an endless stream of the same frame), then reads.
            for (int i = 0; i < CLIENTS; i++) {
                long n;
                while ((n = clients[i].write(bytes, offset[i], frame.length - offset[i])) > 0) {
                    offset[i] = (offset[i] + n) % frame.length;
                }
            }
            engine.cycle();
            total = 0;
            for (int i = 0; i < CLIENTS; i++) {
                answers[i] = received[i].poll().size();
                total += answers[i];
            }
        }
        int min = Arrays.stream(answers).min().orElseThrow();
        int max = Arrays.stream(answers).max().orElseThrow();
        assertTrue(total >= ANSWERS, "answers: " + Arrays.toString(answers));
        assertTrue(min >= 0.9 * max, "the least served client got " + min + " answers, the most " + max + ": "
                + Arrays.toString(answers));
    }
}
