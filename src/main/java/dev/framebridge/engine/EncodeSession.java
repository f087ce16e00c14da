package dev.framebridge.engine;

import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderConfig;

/** What an encode agent keeps per session it owns. Touched by that agent's thread only. */
final class EncodeSession {
    Session session;
    Encoder encoder;
    /** Requests published to this agent / requests answered, in the session's slot order. */
    long received;
    long processed;
    long framesPublished;
    boolean forceIdr;
    boolean active;
    /** What CONFIG_REQ asked for; zero fields mean "host default". */
    int requestedBitrate;
    int requestedFpsNum;
    int requestedFpsDen;
    int requestedProfile;
    int requestedLevel;
    EncoderConfig config;
    /** Frames encoded since the last keyframe: when the keyframe interval places the next IDR (budget revisits). */
    int framesSinceKeyframe;

    void countFrame(boolean keyframe) {
        framesSinceKeyframe = keyframe ? 0 : framesSinceKeyframe + 1;
    }

    void reset(Session s) {
        session = s;
        encoder = null;
        received = 0;
        processed = 0;
        framesPublished = 0;
        forceIdr = false;
        active = true;
        requestedBitrate = 0;
        requestedFpsNum = 0;
        requestedFpsDen = 0;
        requestedProfile = 0;
        requestedLevel = 0;
        config = null;
        framesSinceKeyframe = 0;
    }

    /** Whether any answer that points into the encoder's memory is still being written by the I/O agent. */
    boolean encoderOutputInUse() {
        return session.framesWritten() != framesPublished;
    }
}
