package dev.framebridge.cli;

import dev.framebridge.encode.EncodedFrame;
import dev.framebridge.encode.Encoder;
import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.encode.EncoderRegistry;
import dev.framebridge.encode.RgbToNv12;
import dev.framebridge.frame.PixelFormat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code framebridge encode}: raw frames from a file through the same {@link Encoder} path the engine uses, to an
 * H.264 byte stream. The input is memory-mapped and each frame handed to the encoder where it lies (no copy), so
 * the figures are the encoder's, which is what benchmarks want. RGB input is converted to NV12 one frame ahead on a
 * second thread ({@link ConvertAhead}), so conversion overlaps the encoder as it does in the engine.
 */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Encode a file of raw frames (back to back, rows --stride bytes apart) to an H.264 Annex-B"
                + " byte stream with the engine's encoder and real-time settings (no B-frames, SPS/PPS on every IDR).",
            "Prints one summary line: frames, seconds, fps, bytes, kbit/s."},
        footer = {"", "Example:",
            "  ffmpeg -f lavfi -i testsrc2=size=1920x1080:rate=30 -frames:v 300 -pix_fmt bgra -f rawvideo f.bgra",
            "  framebridge encode --in f.bgra --size 1920x1080 --format bgra --out x.h264",
            "",
            "Exit codes: 0 encoded, 1 failed (no usable encoder, unreadable input, encoder error: the message says"
                    + " which), 2 bad usage."})
public final class EncodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "FILE", description = "Raw frames, back to back.")
    Path in;

    @Option(names = "--size", required = true, paramLabel = "WxH", converter = CliValues.SizeConverter.class,
            description = "Frame size, e.g. 1920x1080.")
    CliValues.Size size;

    @Option(names = "--format", required = true, paramLabel = "FMT", converter = CliValues.FormatConverter.class,
            description = "Pixel format of the input: bgra, rgba, nv12 or i420.")
    PixelFormat format;

    @Option(names = "--out", required = true, paramLabel = "FILE.h264", description = "H.264 byte stream to write.")
    Path out;

    @Option(names = "--stride", defaultValue = "0", paramLabel = "BYTES",
            description = "Bytes per row of plane 0 in the input; 0 = tight (width × bytes per pixel).")
    int stride;

    @Option(names = "--frames", defaultValue = "0", paramLabel = "N", description = "Encode at most N frames; 0 = all.")
    int maxFrames;

    @Option(names = "--fps", defaultValue = "30", paramLabel = "N", description = "Frame rate for rate control and"
            + " timestamps. Default: ${DEFAULT-VALUE}.")
    int fps;

    @Option(names = "--bitrate", defaultValue = "0", paramLabel = "BPS",
            description = "Target bits/s; 0 = the engine's default (~4 bits/pixel/s, 8 Mbit/s floor).")
    int bitrate;

    @Option(names = "--keyint", defaultValue = "60", paramLabel = "FRAMES", description = "An IDR at least every this"
            + " many frames. Default: ${DEFAULT-VALUE}.")
    int keyint;

    @Option(names = "--preset", defaultValue = "ultrafast", paramLabel = "NAME", description = "Encoder speed preset."
            + " Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--profile", defaultValue = "main", paramLabel = "NAME", description = "baseline, main or high."
            + " Default: ${DEFAULT-VALUE}.")
    String profile;

    @Option(names = "--encoder", defaultValue = "auto", paramLabel = "NAME", description = "auto or a backend name."
            + " Default: ${DEFAULT-VALUE}.")
    String encoder;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        CliValues.requireEvenForYuv(cmd, format, size);
        int rowBytes = stride > 0 ? stride : size.width() * format.bytesPerPixel();
        CliValues.require(cmd, stride >= 0 && rowBytes >= size.width() * format.bytesPerPixel(), "--stride " + stride
                + " is less than a row of " + size.width() + " pixels (" + size.width() * format.bytesPerPixel()
                + " bytes): give at least that, or 0 for rows back to back");
        CliValues.require(cmd, fps >= 1 && fps <= 1000, "--fps " + fps + " must be within 1..1000 frames per second");
        CliValues.require(cmd, keyint >= 1, "--keyint " + keyint + " must be at least 1 (an IDR every N frames)");
        CliValues.require(cmd, bitrate >= 0, "--bitrate " + bitrate + " must not be negative (0 = the engine's default)");
        CliValues.require(cmd, maxFrames >= 0, "--frames " + maxFrames + " must not be negative (0 = all)");
        int profileIdc;
        try {
            profileIdc = ServeCommand.profileIdc(profile);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
        CliValues.require(cmd, !AtomicOutput.sameFile(in, out), "--out " + out + " is the same file as --in " + in
                + ": writing it would destroy the frames before they are read — choose another --out");
        long frameBytes = format.frameBytes(rowBytes, size.height());
        String inputProblem = inputProblem(in);
        if (inputProblem != null) {
            System.err.println("framebridge encode: " + inputProblem);
            return 1;
        }
        Path target;
        try {
            target = AtomicOutput.target(out, "--out");
        } catch (AtomicOutput.CliProblem e) {
            System.err.println("framebridge encode: " + e.getMessage());
            return 1;
        }
        long fileBytes = Files.size(in);
        long available = fileBytes / frameBytes;
        if (available == 0) {
            System.err.printf("framebridge encode: %s holds %,d bytes, less than one %s %s frame (%,d bytes): check"
                    + " --size, --format and --stride%n", in, fileBytes, size, CliValues.formatName(format), frameBytes);
            return 1;
        }
        if (fileBytes % frameBytes != 0) {
            System.err.printf("framebridge encode: %s is not a whole number of %,d-byte frames; the last %,d bytes are"
                    + " ignored (is --size, --format or --stride right?)%n", in, frameBytes, fileBytes % frameBytes);
        }
        long frames = maxFrames > 0 ? Math.min(maxFrames, available) : available;

        EncoderRegistry.Selection selection;
        try {
            selection = EncoderRegistry.standard().select(encoder);
        } catch (EncoderException | IllegalArgumentException e) {
            System.err.println("framebridge encode: " + e.getMessage());
            return 1;
        }
        EncoderConfig config = EncoderConfig.defaults(size.width(), size.height(), format).withFrameRate(fps, 1)
                .withKeyintMax(keyint).withPreset(preset).withProfile(profileIdc, 0);
        if (bitrate > 0) {
            config = config.withBitrate(bitrate);
        }
        // The output is written beside its target and renamed over it at the end: a run that fails leaves an older
        // file of that name as it was, never half a stream.
        try (Arena arena = Arena.ofShared();
             FileChannel input = FileChannel.open(in, StandardOpenOption.READ);
             AtomicOutput result = AtomicOutput.open(target);
             Encoder enc = selection.backend().open(config)) {
            FileChannel output = result.channel();
            MemorySegment mapped = input.map(FileChannel.MapMode.READ_ONLY, 0, frames * frameBytes, arena);
            EncodedFrame au = new EncodedFrame();
            long frameNs = 1_000_000_000L / fps;
            long bytes = 0;
            long encodeNs = 0;
            long start = System.nanoTime();
            // RGB input: a second thread converts frame i+1 while the encoder encodes frame i, as the engine does.
            try (ConvertAhead ahead = RgbToNv12.converts(format) && selection.backend().takesConvertedRgb()
                    ? new ConvertAhead(mapped, frameBytes, frames, format, size.width(), size.height(), rowBytes) : null) {
                for (long i = 0; i < frames; i++) {
                    MemorySegment converted = ahead == null ? null : ahead.take();
                    long t = System.nanoTime();
                    if (converted != null) {
                        enc.encodeConverted(converted, i * frameNs, false, au);
                        ahead.release();
                    } else {
                        enc.encode(mapped.asSlice(i * frameBytes, frameBytes), rowBytes, i * frameNs, false, au);
                    }
                    encodeNs += System.nanoTime() - t;
                    bytes += writeFully(output, au.accessUnit());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            result.commit();
            System.out.printf(Locale.ROOT, "encoded %d frames %s %s with %s (%s, %d kbit/s target) in %.3f s: %.1f fps"
                            + " (encoder alone %.1f fps), %d bytes, %.0f kbit/s at %d fps -> %s%n",
                    frames, size, CliValues.formatName(format), enc.name(), preset, config.bitrate() / 1000, seconds,
                    frames / seconds, frames / (encodeNs / 1e9), bytes, bytes * 8.0 * fps / frames / 1000, fps, out);
            return 0;
        } catch (EncoderException e) {
            System.err.println("framebridge encode: the encoder failed: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("framebridge encode: " + CliValues.describe(e) + " (nothing written to " + out + ")");
            return 1;
        }
    }

    /** Why {@code in} cannot be encoded from (null when it can): encode maps its input, so it must be a regular file. */
    static String inputProblem(Path in) {
        if (!Files.exists(in)) {
            return "cannot read --in " + in + ": no such file" + (Files.exists(in, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? " (a symbolic link to nothing)" : "") + " — check the path";
        }
        if (Files.isDirectory(in)) {
            return "--in " + in + " is a directory: give the file of raw frames in it";
        }
        if (!Files.isRegularFile(in)) {
            return "--in " + in + " is not a regular file (a pipe or a device?): encode maps its input, so write the"
                    + " frames to a file first";
        }
        if (!Files.isReadable(in)) {
            return "cannot read --in " + in + ": permission denied";
        }
        return null;
    }

    private static long writeFully(FileChannel ch, MemorySegment bytes) throws IOException {
        var buffer = bytes.asByteBuffer();
        long n = buffer.remaining();
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
        return n;
    }
}
