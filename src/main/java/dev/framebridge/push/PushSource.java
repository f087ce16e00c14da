package dev.framebridge.push;

import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderBackend;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.qemu.ConsoleFrame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Push mode's source for one console: encodes the console's current picture when it changes, at most
 * {@code maxFps} times a second, once for all its subscribers, and keeps only the newest access unit. A subscriber
 * reads the newest when it can ({@link PushSubscriber#poll}); one that fell behind has its missed frames counted as
 * drops and waits for an IDR (which it asks for), since a P-frame after a gap would not decode. A subscriber joining
 * late asks for an IDR too, so its first frame carries SPS/PPS. Nothing queues: memory does not grow with a slow
 * reader.
 *
 * <p>In the engine ({@code serve --qemu-display}) the I/O agent polls its connections' subscribers when
 * {@link #onPublish} wakes it, and writes each access unit as a FRAME_RESPONSE.
 */
public final class PushSource implements Runnable, AutoCloseable {
    private final ConsoleFrame frame;
    private final EncoderBackend backend;
    private final long minIntervalNs;
    private final int maxFps;
    private final Consumer<String> log;
    private final CopyOnWriteArrayList<PushSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private final EncodedFrame out = new EncodedFrame();
    private final Arena arena = Arena.ofShared();
    private volatile boolean running = true;
    private volatile boolean idrWanted;
    /** Called after each publish and when the source ends (the engine wakes its I/O agent); never null. */
    private volatile Runnable onPublish = () -> { };
    /** Why the console ended (QEMU quit, its listener failed); null while it lives. */
    private volatile String ended;
    /** Bits per second a subscriber asked for with CONFIG_REQ; 0: the encoder's default for the size. */
    private volatile int bitrate;
    private int encoderBitrate;
    private EncoderConfig encoderConfig;
    private Encoder encoder;
    private int encoderWidth;
    private int encoderHeight;
    private long lastEncodeNs;
    private long encodedVersion;

    // the newest access unit, guarded by this source's monitor
    private MemorySegment latest = MemorySegment.NULL;
    private long latestLength;
    private boolean latestKeyframe;
    private long latestPts;
    private long sequence;
    private long encodes;
    private long encodeFailures;

    public PushSource(ConsoleFrame frame, EncoderBackend backend, int maxFps, Consumer<String> log) {
        if (maxFps < 1 || maxFps > 240) {
            throw new IllegalArgumentException("push rate " + maxFps + " fps is outside 1-240");
        }
        this.frame = frame;
        this.backend = backend;
        this.maxFps = maxFps;
        this.minIntervalNs = 1_000_000_000L / maxFps;
        this.log = log;
    }

    public ConsoleFrame frame() {
        return frame;
    }

    /** Runs after each new access unit and when the source ends, on the encoding thread: must not block. */
    public void onPublish(Runnable wake) {
        this.onPublish = wake;
    }

    /** Why this source will publish nothing more (its console ended), or null. */
    public String ended() {
        return ended;
    }

    /** Sets the bitrate of the shared encode (CONFIG_REQ on a subscribed connection); applied from the next frame. */
    public void bitrate(int bitsPerSecond) {
        if (bitsPerSecond > 0) {
            bitrate = bitsPerSecond;
        }
    }

    /** The bitrate a subscriber asked for (0: the default for the size). */
    public int bitrate() {
        return bitrate;
    }

    /** A new subscriber: its first frame will be an IDR with SPS/PPS. */
    public PushSubscriber subscribe() {
        PushSubscriber s;
        synchronized (this) {
            s = new PushSubscriber(this, sequence);
        }
        subscribers.add(s);
        wantIdr();
        return s;
    }

    public void unsubscribe(PushSubscriber s) {
        subscribers.remove(s);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Asks the next encode to be an IDR, even when the picture did not change. */
    void wantIdr() {
        idrWanted = true;
        synchronized (frame) {
            frame.notifyAll(); // wakes the encode loop waiting in awaitChange
        }
    }

    @Override
    public void run() {
        long seen = 0;
        try {
            while (running) {
                seen = frame.awaitChange(seen, 100);
                String why = frame.ended();
                if (why != null) {
                    ended = why;
                    log.accept("console " + frame.console() + ": push source ended: " + why);
                    onPublish.run();
                    return;
                }
                if (!running || subscribers.isEmpty() || (seen == encodedVersion && !idrWanted)) {
                    continue;
                }
                long wait = lastEncodeNs + minIntervalNs - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L)); // the rate cap: later changes join
                }
                encodeCurrent();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (encoder != null) {
                encoder.close();
            }
        }
    }

    private void encodeCurrent() {
        boolean idr = idrWanted;
        idrWanted = false;
        long pts = System.nanoTime();
        synchronized (frame) {
            if (!frame.enabled()) {
                encodedVersion = frame.version();
                return;
            }
            int w = frame.width();
            int h = frame.height();
            try {
                if (encoder == null || w != encoderWidth || h != encoderHeight) {
                    if (encoder != null) {
                        encoder.close();
                        encoder = null;
                    }
                    EncoderConfig config = EncoderConfig.defaults(w & ~1, h & ~1, PixelFormat.BGRA8888)
                            .withFrameRate(maxFps, 1);
                    int wanted = bitrate;
                    encoderConfig = wanted > 0 ? config.withBitrate(wanted) : config;
                    encoderBitrate = wanted;
                    encoder = backend.open(encoderConfig);
                    encoderWidth = w;
                    encoderHeight = h;
                    idr = true;
                } else if (bitrate != encoderBitrate) {
                    encoderBitrate = bitrate;
                    encoderConfig = encoderConfig.withBitrate(encoderBitrate);
                    encoder.reconfigure(encoderConfig);
                }
                encoder.encode(frame.slot(), frame.stride(), pts, idr, out);
            } catch (EncoderException e) {
                encodeFailures++;
                if (encodeFailures == 1 || encodeFailures % 100 == 0) {
                    log.accept("console " + frame.console() + ": push encode failed (" + encodeFailures + " so far): "
                            + e.getMessage());
                }
                idrWanted = true;
                return;
            } finally {
                encodedVersion = frame.version();
                lastEncodeNs = System.nanoTime();
            }
        }
        publish();
    }

    private synchronized void publish() {
        long length = out.length();
        if (latest.byteSize() < length) {
            latest = arena.allocate(Math.max(length, latest.byteSize() * 2), 64);
        }
        // from the encoder's memory by address: a slice of it would be an object per frame
        MemorySegment.copy(dev.framebridge.ffi.X264.NATIVE, out.address(), latest, 0, length);
        latestLength = length;
        latestKeyframe = out.keyframe();
        latestPts = out.pts();
        sequence++;
        encodes++;
        notifyAll();
        onPublish.run();
    }

    /** Hands the newest access unit to {@code s} if it may take it (see {@link PushSubscriber#poll}). */
    synchronized boolean deliver(PushSubscriber s, PushSubscriber.Sink sink) {
        if (sequence == s.lastSeen) {
            return false;
        }
        long missed = sequence - s.lastSeen - 1;
        s.lastSeen = sequence;
        if (missed > 0 && s.delivered > 0) {
            s.drops += missed;
            s.waitingForIdr = true;
        }
        if (s.waitingForIdr && !latestKeyframe) {
            if (s.delivered > 0) {
                s.drops++; // a joiner's frames before its first IDR were never its own
            }
            idrWanted = true; // the next encode is an IDR: this subscriber resumes there
            return false;
        }
        s.waitingForIdr = false;
        s.delivered++;
        sink.accept(latest, latestLength, latestKeyframe, latestPts);
        return true;
    }

    /** Waits until a frame newer than {@code s} has seen is published, or the timeout passes. */
    synchronized void awaitNewer(PushSubscriber s, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (sequence == s.lastSeen) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }

    /** Access units encoded (shared by all subscribers). */
    public synchronized long encodes() {
        return encodes;
    }

    public synchronized long encodeFailures() {
        return encodeFailures;
    }

    public void stop() {
        running = false;
        wantIdr();
    }

    @Override
    public void close() {
        stop();
        synchronized (this) {
            latest = MemorySegment.NULL;
        }
        arena.close();
    }
}
