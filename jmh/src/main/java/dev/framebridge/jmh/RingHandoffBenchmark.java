package dev.framebridge.jmh;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One descriptor (4 bytes: a session index, as the engine's RingMessages) through agrona OneToOneRingBuffers
 * between two threads, sized as the engine sizes them.
 * <ul>
 *   <li>{@code pingPong} (sample time): a descriptor to an echo thread and back on a second ring — a round trip is
 *       two hand-offs, as a request to the encode agent and its answer back to the I/O agent.</li>
 *   <li>{@code throughput} (group of a producer and a consumer thread): descriptors per second; the
 *       {@code received} counter is the figure (a call that found the ring full or empty does not count).</li>
 * </ul>
 * Both threads spin: on 2 cores this occupies the machine, so nothing else should run.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class RingHandoffBenchmark {
    static final int MSG = 1;

    static OneToOneRingBuffer newRing() {
        return new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect(4096 + RingBufferDescriptor.TRAILER_LENGTH)));
    }

    @State(Scope.Benchmark)
    public static class PingPong {
        final OneToOneRingBuffer there = newRing();
        final OneToOneRingBuffer back = newRing();
        final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(4));
        final MessageHandler onBack = (type, buffer, index, length) -> lastEcho = buffer.getInt(index);
        int lastEcho;
        int next;
        volatile boolean running;
        Thread echo;

        @Setup(Level.Trial)
        public void start() {
            running = true;
            echo = new Thread(() -> {
                UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(4));
                MessageHandler handler = (type, buffer, index, length) -> {
                    out.putInt(0, buffer.getInt(index));
                    while (!back.write(MSG, out, 0, 4)) {
                        Thread.onSpinWait();
                    }
                };
                while (running) {
                    if (there.read(handler, 16) == 0) {
                        Thread.onSpinWait();
                    }
                }
            }, "ring-echo");
            echo.setDaemon(true);
            echo.start();
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            running = false;
            echo.join();
        }
    }

    @Benchmark
    public int pingPong(PingPong s) {
        s.scratch.putInt(0, ++s.next);
        while (!s.there.write(MSG, s.scratch, 0, 4)) {
            Thread.onSpinWait();
        }
        while (s.back.read(s.onBack, 1) == 0) {
            Thread.onSpinWait();
        }
        return s.lastEcho;
    }

    @State(Scope.Group)
    public static class Shared {
        final OneToOneRingBuffer ring = newRing();
    }

    @State(Scope.Thread)
    public static class Producer {
        final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(4));
        int next;
    }

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Received {
        public long received;
        int sum;
        final MessageHandler handler = this::onMessage;

        private void onMessage(int type, DirectBuffer buffer, int index, int length) {
            sum += buffer.getInt(index);
            received++;
        }

        @Setup(Level.Iteration)
        public void reset() {
            received = 0;
        }
    }

    @Benchmark
    @Group("throughput")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean produce(Shared s, Producer p) {
        p.scratch.putInt(0, ++p.next);
        return s.ring.write(MSG, p.scratch, 0, 4);
    }

    @Benchmark
    @Group("throughput")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int consume(Shared s, Received r) {
        return s.ring.read(r.handler, 64);
    }
}
