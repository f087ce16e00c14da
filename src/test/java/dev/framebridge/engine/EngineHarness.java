package dev.framebridge.engine;

import dev.framebridge.client.HxfrClient;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.frame.PixelFormat;
import dev.framebridge.transport.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;

/** A real engine on a Unix socket and a loopback TCP port, with x264, for system tests. */
final class EngineHarness implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final Engine engine;
    final Endpoint unix;
    final Endpoint tcp;
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

    EngineHarness(Path dir, java.util.function.UnaryOperator<EngineConfig> tweak) throws Exception {
        EngineConfig config = new EngineConfig()
                .listen(Endpoint.parse("unix:" + dir.resolve("fb.sock")))
                .listen(Endpoint.parse("tcp:127.0.0.1:0"))
                .countersFile(dir.resolve("counters.dat"))
                .encodeAgents(2);
        config = tweak.apply(config);
        engine = Engine.start(config, EncoderRegistry.standard().select("x264").backend(),
                new EngineLog(new PrintStream(logBytes, true), true));
        unix = engine.endpoints().get(0);
        tcp = engine.endpoints().get(1);
    }

    HxfrClient connect(Endpoint endpoint) throws Exception {
        return HxfrClient.connect(endpoint, TIMEOUT);
    }

    long counter(CounterId id) {
        return engine.counters().get(id).get();
    }

    /**
     * Waits (up to 20 s) until {@code condition} holds, checking every 5 ms; fails with {@code failure}'s text. The one
     * wait loop of the engine's tests: what the engine does just after a client saw an answer (counters bumped once
     * the write returns, a session's counters freed once the encode agent lets go, a log line after the socket
     * closes) is waited for here, never read once.
     */
    static void await(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(failure.get() + " (waited 20 s)");
            }
            Thread.sleep(5);
        }
    }

    /**
     * Waits (up to 20 s) until a counter satisfies {@code until} and returns its value. Answers are counted once the
     * write returns, which may be after the client has already read them: a test that has just read its last answer
     * waits here instead of reading the counter once.
     */
    long awaitCounter(CounterId id, java.util.function.LongPredicate until) throws InterruptedException {
        long[] v = new long[1];
        await(() -> until.test(v[0] = counter(id)), () -> id.label() + " stayed at " + v[0]);
        return v[0];
    }

    void awaitCounter(CounterId id, long expected) throws InterruptedException {
        awaitCounter(id, v -> v == expected);
    }

    /**
     * Waits until the stats thread has published {@code ids} (percentiles, written one by one once a second) and they
     * have settled: none is 0 and two readings more than a publish interval apart agree. A single reading can catch a
     * publish half-way (p50 already written, p99 still the previous value, or 0 before the first publish).
     */
    long[] awaitPublished(CounterId... ids) throws InterruptedException {
        long[][] readings = {new long[ids.length], null};
        await(() -> {
            EngineSystemTest.sleepQuietly(1_100);
            long[] now = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                now[i] = counter(ids[i]);
            }
            boolean settled = java.util.Arrays.equals(now, readings[0])
                    && java.util.Arrays.stream(now).noneMatch(v -> v == 0);
            readings[1] = readings[0];
            readings[0] = now;
            return settled;
        }, () -> java.util.Arrays.toString(ids) + " never settled: " + java.util.Arrays.toString(readings[1]) + " then "
                + java.util.Arrays.toString(readings[0]));
        return readings[0];
    }

    String log() {
        return logBytes.toString();
    }

    @Override
    public void close() {
        engine.close();
    }

    /** A moving BGRA test pattern, asymmetric in colour, rows {@code stride} apart. */
    static final class Pattern implements AutoCloseable {
        final int width;
        final int height;
        final int stride;
        final PixelFormat format = PixelFormat.BGRA8888;
        final Arena arena = Arena.ofShared();
        final MemorySegment pixels;

        Pattern(int width, int height) {
            this.width = width;
            this.height = height;
            this.stride = width * 4 + 64;
            this.pixels = arena.allocate((long) stride * height);
        }

        long bytes() {
            return (long) stride * height;
        }

        MemorySegment frame(int n) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    long at = (long) y * stride + x * 4L;
                    int v = (x + n * 4) & 0xFF;
                    pixels.set(ValueLayout.JAVA_BYTE, at, (byte) (y & 0xFF));           // B
                    pixels.set(ValueLayout.JAVA_BYTE, at + 1, (byte) v);                // G
                    pixels.set(ValueLayout.JAVA_BYTE, at + 2, (byte) ((x < width / 2) ? 220 : 30)); // R
                    pixels.set(ValueLayout.JAVA_BYTE, at + 3, (byte) 255);
                }
            }
            return pixels;
        }

        /** Random pixels: the encoder's largest output, so answers fill socket buffers quickly. */
        MemorySegment noise(long seed) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            for (long i = 0; i + 8 <= bytes(); i += 8) {
                pixels.set(ValueLayout.JAVA_LONG_UNALIGNED, i, r.nextLong());
            }
            return pixels;
        }

        @Override
        public void close() {
            arena.close();
        }
    }
}
