package dev.framebridge.encode;

import dev.framebridge.client.AccessUnitCheck;
import dev.framebridge.frame.PixelFormat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The proof that a backend works here, not just that its library loads: open it for a small picture, encode three
 * frames (a forced IDR, a P-frame, another forced IDR) and check what came out the way a guest would — Annex-B start
 * code, SPS and PPS in front of each IDR, an IDR exactly where one was asked for and not elsewhere, and an access
 * unit smaller than the raw picture. A driver that initialises but produces nothing usable is refused here, before a
 * client ever sees its output.
 */
public final class EncoderProbe {
    static final int WIDTH = 256;
    static final int HEIGHT = 144;
    private static final long FRAME_NS = 33_333_333L;

    private EncoderProbe() {
    }

    /** Null when the test encode passed; otherwise {@code "test encode failed: …"} with what went wrong. */
    public static String testEncode(EncoderBackend backend) {
        EncoderConfig config = EncoderConfig.defaults(WIDTH, HEIGHT, PixelFormat.NV12).withKeyintMax(1000);
        long rawBytes = PixelFormat.NV12.frameBytes(WIDTH, HEIGHT);
        try (Arena arena = Arena.ofConfined(); Encoder encoder = backend.open(config)) {
            EncodedFrame out = new EncodedFrame();
            for (int t = 0; t < 3; t++) {
                MemorySegment frame = picture(arena, t);
                boolean idr = t != 1;
                encoder.encode(frame, WIDTH, t * FRAME_NS, idr, out);
                MemorySegment au = out.accessUnit();
                String problem = AccessUnitCheck.problem(au, idr);
                if (problem != null) {
                    return failed("frame " + t + (idr ? " (IDR asked for)" : "") + ": " + problem);
                }
                if (out.keyframe() != idr || containsIdrSlice(au) != idr) {
                    return failed("frame " + t + " came back " + (out.keyframe() ? "flagged keyframe" : "not a keyframe")
                            + (containsIdrSlice(au) ? " with" : " without") + " an IDR slice, but "
                            + (idr ? "an IDR was forced" : "none was asked for"));
                }
                if (au.byteSize() >= rawBytes) {
                    return failed("frame " + t + " is " + au.byteSize() + " bytes, no smaller than the raw "
                            + WIDTH + "x" + HEIGHT + " picture (" + rawBytes + " bytes): the encoder is not compressing");
                }
                if (out.pts() != t * FRAME_NS) {
                    return failed("frame " + t + " came back with pts " + out.pts() + " instead of " + t * FRAME_NS);
                }
            }
            return null;
        } catch (EncoderException | RuntimeException e) {
            return failed(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static String failed(String why) {
        return "test encode failed: " + why;
    }

    /** A moving gradient with a bright square: something to compress that changes between frames. */
    private static MemorySegment picture(Arena arena, int t) {
        MemorySegment f = arena.allocate(PixelFormat.NV12.frameBytes(WIDTH, HEIGHT), 64);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                boolean square = x >= 40 + 8 * t && x < 90 + 8 * t && y >= 30 && y < 80;
                f.set(JAVA_BYTE, (long) y * WIDTH + x, (byte) (square ? 235 : 16 + ((x + y + 4 * t) & 0x7F)));
            }
        }
        long uv = (long) WIDTH * HEIGHT;
        for (int y = 0; y < HEIGHT / 2; y++) {
            for (int x = 0; x < WIDTH / 2; x++) {
                f.set(JAVA_BYTE, uv + (long) y * WIDTH + 2L * x, (byte) (96 + (x & 0x3F)));
                f.set(JAVA_BYTE, uv + (long) y * WIDTH + 2L * x + 1, (byte) (160 - (y & 0x3F)));
            }
        }
        return f;
    }

    private static boolean containsIdrSlice(MemorySegment au) {
        long n = au.byteSize();
        for (long i = 0; i + 3 < n; i++) {
            if (au.get(JAVA_BYTE, i) == 0 && au.get(JAVA_BYTE, i + 1) == 0 && au.get(JAVA_BYTE, i + 2) == 1) {
                if ((au.get(JAVA_BYTE, i + 3) & 0x1F) == 5) {
                    return true;
                }
                i += 3;
            }
        }
        return false;
    }
}
