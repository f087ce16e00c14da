package dev.framebridge.cli;

import dev.framebridge.transport.Endpoint;
import dev.framebridge.transport.ListenOptions;
import dev.framebridge.transport.NativeSocket;
import dev.framebridge.transport.SocketListener;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broken hops of the seed's story, built on real sockets: a listener that accepts and never answers, a relay
 * that forwards one direction only, and a listener that speaks something other than HXFR. Each runs on its own
 * thread until closed.
 */
final class BrokenPeers implements AutoCloseable {
    private final SocketListener listener;
    private final Thread thread;
    private final List<NativeSocket> held = new ArrayList<>();
    private volatile boolean stop;
    /** Bytes the one-way relay carried client → target. */
    final AtomicLong forwarded = new AtomicLong();

    private interface Behaviour {
        void serve(NativeSocket client) throws Exception;
    }

    private BrokenPeers(Endpoint at, Behaviour behaviour) throws Exception {
        listener = SocketListener.listen(at, ListenOptions.defaults());
        thread = new Thread(() -> {
            try {
                while (!stop) {
                    NativeSocket c = listener.accept();
                    if (c == null) {
                        Thread.sleep(2);
                        continue;
                    }
                    held.add(c);
                    behaviour.serve(c);
                }
            } catch (Exception e) {
                if (!stop) {
                    e.printStackTrace();
                }
            }
        }, "broken-peer");
        thread.setDaemon(true);
        thread.start();
    }

    Endpoint endpoint() {
        return listener.endpoint();
    }

    /** Accepts and then says nothing, ever (reads nothing either). */
    static BrokenPeers silent(Endpoint at) throws Exception {
        return new BrokenPeers(at, client -> { });
    }

    /** Answers every connection with a line of text, like an SSH server on the wrong port. */
    static BrokenPeers notHxfr(Endpoint at) throws Exception {
        return new BrokenPeers(at, client -> {
            byte[] text = "SSH-2.0-OpenSSH_9.6 not an HXFR host\r\n".getBytes(StandardCharsets.US_ASCII);
            MemorySegment buf = Arena.ofAuto().allocate(text.length);
            MemorySegment.copy(text, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, text.length);
            client.write(buf, 0, text.length);
        });
    }

    /**
     * The relay of the seed's log: connects each client to {@code target} and copies client → target, but never
     * target → client. The target gets every request and answers; the answers stop here.
     */
    static BrokenPeers oneWayRelay(Endpoint at, Endpoint target) throws Exception {
        BrokenPeers[] self = new BrokenPeers[1];
        self[0] = new BrokenPeers(at, client -> {
            NativeSocket server = NativeSocket.connect(target, Duration.ofSeconds(2));
            self[0].held.add(server);
            Thread pump = new Thread(() -> {
                MemorySegment buf = Arena.ofAuto().allocate(64 * 1024);
                try {
                    while (!self[0].stop) {
                        long n = client.read(buf, 0, buf.byteSize());
                        if (n < 0) {
                            server.shutdownOutput();
                            return;
                        }
                        if (n == 0) {
                            client.awaitReadable(50);
                            continue;
                        }
                        for (long done = 0; done < n; ) {
                            long w = server.write(buf, done, n - done);
                            if (w == 0) {
                                server.awaitWritable(50);
                            }
                            done += w;
                        }
                        self[0].forwarded.addAndGet(n);
                    }
                } catch (Exception e) {
                    // the test closed the sockets
                }
            }, "one-way-pump");
            pump.setDaemon(true);
            pump.start();
        });
        return self[0];
    }

    @Override
    public void close() throws Exception {
        stop = true;
        thread.join(2000);
        listener.close();
        for (NativeSocket s : held) {
            s.close();
        }
    }
}
