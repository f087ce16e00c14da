package dev.framebridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.frame.PixelFormat;
import dev.framebridge.protocol.Hxfr;
import dev.framebridge.transport.NativeSocket;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stat}'s per-stage times: every stage of every frame is recorded, and the stages add up to the total. */
class StageTimesTest {
    private static final int W = 640;
    private static final int H = 480;
    private static final int FRAMES = 12;

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
    void everyStageOfEveryFrameIsRecordedInlineAndTheyAddUpToTheTotal() throws Exception {
        stagesAddUp(0);
    }

    @Test
    void everyStageOfEveryFrameIsRecordedWithAnEncodeAgentAndTheyAddUpToTheTotal() throws Exception {
        stagesAddUp(1);
    }

    private void stagesAddUp(int encodeAgents) throws Exception {
        // The real clock: stages are real durations here (the by-hand clock would make them all zero).
        engine = new ByHandEngine(dir, c -> c.encodeAgents(encodeAgents).clock(SystemNanoClock.INSTANCE));
        NativeSocket client = engine.connect();
        ByHandEngine.Received received = new ByHandEngine.Received(client);
        for (int f = 1; f <= FRAMES; f++) {
            // BGRA, bigger than the socket's buffer: received over several cycles and converted as it arrives.
            engine.send(client, HxfrBytes.frame(PixelFormat.BGRA8888, W, H, W * 4, f,
                    HxfrBytes.pixels(PixelFormat.BGRA8888, W * 4, H, f), 0));
            engine.settle();
            received.poll();
        }
        List<ByHandEngine.Answer> answers = received.poll();
        assertEquals(FRAMES, answers.size());
        assertTrue(answers.stream().allMatch(a -> a.type() == Hxfr.MSG_FRAME_RESPONSE), answers.toString());

        engine.stats.publishNow();
        double parts = 0;
        Histogram total = engine.stats.stageTotal(Stage.TOTAL);
        for (Stage s : Stage.ALL) {
            Histogram h = engine.stats.stageTotal(s);
            assertEquals(FRAMES, h.getTotalCount(), s + " recorded for every frame");
            assertTrue(total.getMaxValue() >= h.getMaxValue(), "total ≥ " + s);
            assertTrue(total.getValueAtPercentile(50) >= h.getValueAtPercentile(50), "total p50 ≥ " + s + " p50");
            if (s != Stage.TOTAL && s != Stage.CONVERT) {
                parts += h.getMean();
            }
        }
        for (Stage s : new Stage[] {Stage.RECEIVE, Stage.CONVERT, Stage.ENCODE, Stage.WRITE}) {
            assertTrue(engine.stats.stageTotal(s).getMinValue() > 0, s + " takes time");
        }
        assertTrue(engine.stats.stageTotal(Stage.RECEIVE).getMean() >= engine.stats.stageTotal(Stage.CONVERT).getMean(),
                "conversion on arrival is part of receiving");
        // The stages tile each request: their means add up to the total's (histogram buckets round to 0.1 %).
        assertEquals(total.getMean(), parts, total.getMean() * 0.01, "wait + receive + queue + encode + write = total");

        assertTrue(engine.counter(CounterId.STAGE_TOTAL_US_P50) > 0);
        assertTrue(engine.counter(CounterId.STAGE_TOTAL_US_P50) >= engine.counter(CounterId.STAGE_ENCODE_US_P50));
        assertTrue(engine.counter(CounterId.STAGE_ENCODE_US_P99) > 0);
    }
}
