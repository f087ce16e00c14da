package dev.framebridge.jmh;

import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderRegistry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.util.Locale;

/**
 * What {@code framebridge encode --in f.bgra --size WxH --format bgra --out x.h264} does, through the Encoder SPI
 * with the engine's default settings (x264 ultrafast, zerolatency, CBR ~4 bits/pixel/s, keyint 60): for the
 * side-by-side script on trees where the subcommand is not there yet. Prints the encode loop's own fps on stderr.
 */
public final class EncodeFile {
    private EncodeFile() {
    }

    public static void main(String[] args) throws Exception {
        FileArgs a = new FileArgs(args, "usage: EncodeFile --in f.bgra --size WxH [--format bgra] --out x.h264");
        try (Arena arena = Arena.ofShared();
             FileChannel out = a.openOut();
             Encoder encoder = EncoderRegistry.standard().select("x264").backend()
                     .open(EncoderConfig.defaults(a.width, a.height, a.format))) {
            MemorySegment file = a.map(arena);
            long frameBytes = a.frameBytes();
            long frames = file.byteSize() / frameBytes;
            EncodedFrame encoded = new EncodedFrame();
            long start = System.nanoTime();
            long bytes = 0;
            for (long i = 0; i < frames; i++) {
                encoder.encode(file.asSlice(i * frameBytes, frameBytes), a.stride(), i * 33_333_333L, false, encoded);
                MemorySegment au = encoded.accessUnit();
                bytes += au.byteSize();
                var buffer = au.asByteBuffer();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf(Locale.ROOT, "encode: %d frames %dx%d in %.3f s = %.1f fps (encode loop), %d bytes of H.264%n",
                    frames, a.width, a.height, seconds, frames / seconds, bytes);
        }
    }
}
