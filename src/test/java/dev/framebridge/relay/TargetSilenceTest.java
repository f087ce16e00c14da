package dev.framebridge.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.protocol.Hxfr;
import org.junit.jupiter.api.Test;

/** The silence rule by hand, with the relay's clock as plain numbers (ms × 1e6 here). */
class TargetSilenceTest {
    private static final long MS = 1_000_000L;
    private final TargetSilence silence = new TargetSilence(2_000 * MS);

    @Test
    void shouldBecomeDueOnceWhenARequestGoesUnansweredPastTheThreshold() {
        silence.upMoved(1, Hxfr.MSG_PING, 1_000 * MS);
        assertTrue(silence.pending());
        assertEquals(3_000 * MS, silence.dueAt());
        assertFalse(silence.becameDue(2_999 * MS));
        assertTrue(silence.becameDue(3_000 * MS));
        assertFalse(silence.becameDue(9_000 * MS), "once per episode");
        assertEquals(1, silence.episodes());
        assertEquals(Hxfr.MSG_PING, silence.firstRequestType());
        assertEquals(8_000 * MS, silence.silentForNs(9_000 * MS));
        assertEquals(8_000 * MS, silence.longestNs(9_000 * MS), "an episode still going counts up to now");
        assertTrue(silence.silentNow());
    }

    @Test
    void shouldNotWaitWhenOnlyMessagesThatNeedNoAnswerWentThrough() {
        silence.upMoved(0, 0, 1_000 * MS); // bytes moved, but no request among them (CONFIG_REQ, KEYFRAME_REQ)
        assertFalse(silence.pending());
        assertFalse(silence.becameDue(60_000 * MS));
    }

    @Test
    void shouldEndTheEpisodeOnTheFirstByteBackAndStartAnewOnTheNextRequest() {
        silence.upMoved(1, Hxfr.MSG_FRAME_REQUEST, 0);
        assertTrue(silence.becameDue(2_500 * MS));
        assertEquals(4_000 * MS, silence.targetSent(1, 4_000 * MS), "reported silence lasted 4 s");
        assertFalse(silence.pending());
        assertFalse(silence.silentNow());
        silence.upMoved(1, Hxfr.MSG_FRAME_REQUEST, 5_000 * MS); // bytes, but that request was answered already
        assertFalse(silence.pending());
        silence.upMoved(2, Hxfr.MSG_FRAME_REQUEST, 6_000 * MS);
        assertEquals(8_000 * MS, silence.dueAt());
        assertEquals(-1, silence.targetSent(2, 6_500 * MS), "answered before it was due: nothing to report");
        assertEquals(1, silence.episodes());
        assertEquals(4_000 * MS, silence.longestNs(7_000 * MS));
    }

    @Test
    void shouldCountFromTheLastUploadWhileALargeRequestIsStillGoingThrough() {
        silence.upMoved(1, Hxfr.MSG_FRAME_REQUEST, 0);
        silence.upMoved(1, Hxfr.MSG_FRAME_REQUEST, 1_500 * MS); // the frame's pixels still flowing
        assertEquals(3_500 * MS, silence.dueAt());
        assertFalse(silence.becameDue(3_000 * MS));
        assertTrue(silence.becameDue(3_500 * MS));
        assertEquals(2, silence.unanswered(2));
    }

    @Test
    void shouldCountTheRequestsAHostMustAnswer() {
        assertTrue(HxfrStreamCounter.expectsAnswer(Hxfr.MSG_FRAME_REQUEST));
        assertTrue(HxfrStreamCounter.expectsAnswer(Hxfr.MSG_PING));
        assertTrue(HxfrStreamCounter.expectsAnswer(Hxfr.MSG_ENABLE_SCANOUT));
        assertTrue(HxfrStreamCounter.expectsAnswer(Hxfr.MSG_SUBSCRIBE));
        assertFalse(HxfrStreamCounter.expectsAnswer(Hxfr.MSG_CONFIG_REQ), "the reference host never answered it");
        assertFalse(HxfrStreamCounter.expectsAnswer(Hxfr.MSG_KEYFRAME_REQ));
        assertFalse(HxfrStreamCounter.expectsAnswer(Hxfr.MSG_DISABLE_SCANOUT));
    }
}
