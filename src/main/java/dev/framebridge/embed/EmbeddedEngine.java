package dev.framebridge.embed;

import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.engine.EncodeCore;
import dev.framebridge.engine.EngineConfig;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.protocol.H264Profile;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The framebridge engine inside this process: encode agents and a delivery thread over the same agrona rings as
 * {@code framebridge serve}, fed {@link Frame}s that already lie in native memory and answering each with an access
 * unit in the encoder's own memory. No socket, no copy: NV12/I420 planes go to the encoder where they lie, BGRA/RGBA
 * is converted once, from where it lies into the encoder's planes.
 *
 * <p>See the package documentation and the README's "Embedding" section for a complete example.
 *
 * Thread-safe: streams may be opened and fed from different threads (one producer per stream).
 */
public final class EmbeddedEngine implements AutoCloseable {
    private final EncodeCore core;
    private final EncodeStream[] streams;
    private final String encoderName;
    private final BiConsumer<EncodeStream, Throwable> onHandlerFailure;

    private EmbeddedEngine(Builder b, dev.framebridge.encode.EncoderBackend backend) {
        this.encoderName = backend.name();
        this.streams = new EncodeStream[b.maxStreams];
        this.onHandlerFailure = b.onHandlerFailure;
        EngineConfig config = new EngineConfig().bitrate(b.bitrate).fps(b.fpsNum, b.fpsDen).keyint(b.keyint)
                .profile(b.profile.idc()).preset(b.preset).encoderThreads(b.encoderThreads).encodeAgents(b.encodeThreads)
                .maxInFlight(b.maxInFlight);
        this.core = EncodeCore.start(config, backend, b.maxStreams, this::deliver,
                t -> onHandlerFailure.accept(null, t));
    }

    /** Settings with the defaults of {@code serve}: x264 (or the best encoder here), main profile, 30 fps, 2 in flight. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens a stream answered through {@code handler} (on the engine's delivery thread).
     *
     * @throws IllegalStateException when {@code maxStreams} streams are open
     */
    public EncodeStream openStream(AccessUnitHandler handler) {
        int session = core.open();
        if (session < 0) {
            throw new IllegalStateException(streams.length + " streams are open, the most this engine was started"
                    + " with (builder().maxStreams): close one first");
        }
        EncodeStream s = new EncodeStream(this, core, session, handler);
        synchronized (streams) {
            streams[session] = s;
        }
        return s;
    }

    /** The encoder backend in use ({@code x264} …). */
    public String encoderName() {
        return encoderName;
    }

    /** The engine's agent threads (encode and delivery), e.g. to measure their allocation or CPU time. */
    public List<Thread> threads() {
        return core.threads();
    }

    private void deliver(int session, FrameSlot slot) {
        EncodeStream s = streams[session];
        if (s != null) {
            s.deliver(slot);
        }
    }

    void handlerFailed(EncodeStream stream, Throwable t) {
        onHandlerFailure.accept(stream, t);
    }

    void streamClosed(int session) {
        synchronized (streams) {
            streams[session] = null;
        }
    }

    /** Stops the engine; frames still in flight are not answered. Close the streams first to have them answered. */
    @Override
    public void close() {
        core.close();
    }

    /** Settings of an {@link EmbeddedEngine}; every value is checked by {@link #start()}. */
    public static final class Builder {
        private String encoder = "auto";
        private int bitrate;
        private int fpsNum = 30;
        private int fpsDen = 1;
        private int keyint = 60;
        private H264Profile profile = H264Profile.parse("main");
        private String preset = "ultrafast";
        private int encoderThreads;
        private int encodeThreads = 1;
        private int maxInFlight = 2;
        private int maxStreams = 16;
        private BiConsumer<EncodeStream, Throwable> onHandlerFailure = (s, t) -> t.printStackTrace();

        private Builder() {
        }

        /** {@code auto} (the first usable of VideoToolbox, VA-API, x264) or a backend name such as {@code x264}. */
        public Builder encoder(String name) {
            this.encoder = name;
            return this;
        }

        /** Target bits per second; 0 scales with the frame size (~4 bits per pixel per second, 8 Mbit/s floor). */
        public Builder bitrate(int bitsPerSecond) {
            this.bitrate = bitsPerSecond;
            return this;
        }

        /** Frame rate for rate control. */
        public Builder fps(int num, int den) {
            this.fpsNum = num;
            this.fpsDen = den;
            return this;
        }

        /** An IDR at least every this many frames. */
        public Builder keyint(int frames) {
            this.keyint = frames;
            return this;
        }

        /** {@code baseline}, {@code main} or {@code high}. */
        public Builder profile(String name) {
            H264Profile p = H264Profile.parse(name);
            if (p == null) {
                throw new IllegalArgumentException("profile " + name + " unsupported: use " + H264Profile.CHOICES);
            }
            this.profile = p;
            return this;
        }

        /** Encoder speed preset (x264: ultrafast … medium). */
        public Builder preset(String name) {
            this.preset = name;
            return this;
        }

        /** Threads inside each encoder; 0 = the backend's default. */
        public Builder encoderThreads(int n) {
            this.encoderThreads = n;
            return this;
        }

        /** Encode agents (threads); 0 encodes on the delivery thread (one thread in all). */
        public Builder encodeThreads(int n) {
            this.encodeThreads = n;
            return this;
        }

        /** Frames in flight per stream before {@code submit} waits (1..64). */
        public Builder maxInFlight(int k) {
            this.maxInFlight = k;
            return this;
        }

        /** Streams open at once (1..4096). */
        public Builder maxStreams(int n) {
            this.maxStreams = n;
            return this;
        }

        /**
         * Called (on the delivery thread) when a handler throws — the stream goes on — or, with a null stream, when an
         * engine agent fails. Default: print the stack trace.
         */
        public Builder onHandlerFailure(BiConsumer<EncodeStream, Throwable> action) {
            this.onHandlerFailure = action;
            return this;
        }

        /**
         * Selects the encoder and starts the engine's threads.
         *
         * @throws EncoderException        when the encoder cannot run here (the message names what to install)
         * @throws IllegalArgumentException for a setting out of range, naming it
         */
        public EmbeddedEngine start() throws EncoderException {
            require(bitrate >= 0, "bitrate " + bitrate + " must not be negative");
            require(fpsNum > 0 && fpsDen > 0, "fps " + fpsNum + "/" + fpsDen + " must be positive");
            require(keyint >= 1, "keyint " + keyint + " must be at least 1");
            require(encodeThreads >= 0 && encodeThreads <= 64, "encodeThreads " + encodeThreads + " must be within 0..64");
            require(encoderThreads >= 0, "encoderThreads " + encoderThreads + " must not be negative");
            require(maxInFlight >= 1 && maxInFlight <= 64, "maxInFlight " + maxInFlight + " must be within 1..64");
            require(maxStreams >= 1 && maxStreams <= 4096, "maxStreams " + maxStreams + " must be within 1..4096");
            return new EmbeddedEngine(this, EncoderRegistry.standard().select(encoder).backend());
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
