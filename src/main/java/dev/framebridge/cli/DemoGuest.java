package dev.framebridge.cli;

import dev.framebridge.client.AccessUnitCheck;
import dev.framebridge.client.HxfrClient;
import dev.framebridge.client.HxfrClient.Answer;
import dev.framebridge.client.TestPattern;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.transport.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * One synthetic guest of {@code demo}, behaving like vsockenc: one request outstanding, pixels in every request, a
 * keyframe forced every {@code keyint} frames, paced at {@code fps} (0 = as fast as answers come). Records each
 * round trip into a shared recorder; optionally writes its stream to {@code sink}.
 */
final class DemoGuest implements Runnable {
    private final int number;
    private final Endpoint endpoint;
    private final int width;
    private final int height;
    private final PixelFormat format;
    private final int fps;
    private final int keyint;
    private final long frames;
    private final long deadlineNs;
    private final Recorder rtt;
    private final AtomicLong framesDone;
    private final OutputStream sink;
    private volatile String failure;
    private volatile long sent;

    DemoGuest(int number, Endpoint endpoint, int width, int height, PixelFormat format, int fps, int keyint,
              long frames, long deadlineNs, Recorder rtt, AtomicLong framesDone, OutputStream sink) {
        this.number = number;
        this.endpoint = endpoint;
        this.width = width;
        this.height = height;
        this.format = format;
        this.fps = fps;
        this.keyint = keyint;
        this.frames = frames;
        this.deadlineNs = deadlineNs;
        this.rtt = rtt;
        this.framesDone = framesDone;
        this.sink = sink;
    }

    @Override
    public void run() {
        long interval = fps > 0 ? 1_000_000_000L / fps : 0;
        try (HxfrClient client = HxfrClient.connect(endpoint, Duration.ofSeconds(5));
             TestPattern pattern = new TestPattern(width, height, format)) {
            WritableByteChannel out = sink == null ? null : Channels.newChannel(sink);
            long start = System.nanoTime();
            for (long i = 0; (frames == 0 || i < frames) && System.nanoTime() - deadlineNs < 0; i++) {
                if (interval > 0) {
                    long due = start + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                long pts = i * (interval > 0 ? interval : 33_333_333L);
                long t = System.nanoTime();
                client.sendFrame(pattern.frame((int) i + number * 16), pattern.frameBytes(), width, height, format,
                        pattern.stride(), pts, i % keyint == 0);
                Answer a = client.readAnswer();
                rtt.recordValue(System.nanoTime() - t);
                if (!a.isFrame()) {
                    throw new IOException("frame " + i + " was answered with " + a);
                }
                if (a.pts() != pts) {
                    throw new IOException("frame " + i + ": the answer carries pts " + a.pts() + ", not " + pts);
                }
                if (a.keyframe()) {
                    String problem = AccessUnitCheck.problem(a.accessUnit(), true);
                    if (problem != null) {
                        throw new IOException("frame " + i + ": " + problem);
                    }
                }
                if (out != null) {
                    var buffer = a.accessUnit().asByteBuffer();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
                sent = i + 1;
                framesDone.incrementAndGet();
            }
        } catch (IOException | RuntimeException e) {
            failure = "guest " + number + " after " + sent + " frames: " + e.getMessage();
        }
    }

    long frames() {
        return sent;
    }

    String failure() {
        return failure;
    }
}
