package dev.framebridge.jmh;

import dev.framebridge.transport.Endpoint;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * A client streaming a raw frame file to a running framebridge ({@code --connect unix:PATH}), with
 * {@code --outstanding N} requests in flight (1 as vsockenc), writing the answers' H.264 to {@code --out}. Prints
 * fps and round-trip percentiles on stderr.
 */
public final class StreamFile {
    private StreamFile() {
    }

    public static void main(String[] args) throws Exception {
        FileArgs a = new FileArgs(args, "usage: StreamFile --connect unix:PATH --in f.bgra --size WxH [--format bgra]"
                + " [--outstanding N] --out x.h264");
        int outstanding = Integer.parseInt(a.values.getOrDefault("outstanding", "1"));
        Endpoint endpoint = Endpoint.parse(a.values.get("connect"));
        Histogram rtt = new Histogram(3);
        try (Arena arena = Arena.ofShared();
             FileChannel out = a.openOut();
             StreamClient client = new StreamClient(endpoint)) {
            MemorySegment file = a.map(arena);
            long frameBytes = a.frameBytes();
            long frames = file.byteSize() / frameBytes;
            long[] sentAt = new long[64];
            long start = System.nanoTime();
            long sent = 0;
            long bytes = 0;
            for (long received = 0; received < frames; received++) {
                while (sent < frames && sent - received < outstanding) {
                    sentAt[(int) (sent & 63)] = System.nanoTime();
                    client.send(file.asSlice(sent * frameBytes, frameBytes), frameBytes, a.width, a.height, a.stride(),
                            sent * 33_333_333L, sent % 60 == 0);
                    sent++;
                }
                long length = client.receive();
                rtt.recordValue(System.nanoTime() - sentAt[(int) (received & 63)]);
                bytes += length;
                var buffer = client.accessUnit().asSlice(0, length).asByteBuffer();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf(Locale.ROOT, "stream: %d frames %dx%d, %d outstanding, in %.3f s = %.1f fps, %d bytes of H.264%n",
                    frames, a.width, a.height, outstanding, seconds, frames / seconds, bytes);
            System.err.print(RoundTrips.line("stream round trip", rtt));
        }
    }
}
