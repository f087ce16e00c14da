package dev.framebridge.ffi;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** libyuv's byte-order naming is the classic R/B swap trap; these pin down which call reads which memory order. */
class LibYuvTest {
    private static final int W = 4;
    private static final int H = 2;

    /** Converts W×H pixels of the same 4 bytes and returns {Y, U, V} of the first pixel. */
    private static int[] toNv12(byte[] pixel, boolean argb) {
        try (Arena arena = Arena.ofConfined()) {
            int stride = W * 4 + 8;  // padded
            MemorySegment src = arena.allocate((long) stride * H);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    MemorySegment.copy(pixel, 0, src, JAVA_BYTE, (long) y * stride + x * 4L, 4);
                }
            }
            MemorySegment luma = arena.allocate(W * H);
            MemorySegment chroma = arena.allocate(W * H / 2);
            int rc = argb ? LibYuv.ARGBToNV12(src, stride, luma, W, chroma, W, W, H)
                    : LibYuv.ABGRToNV12(src, stride, luma, W, chroma, W, W, H);
            assertEquals(0, rc);
            return new int[] {luma.get(JAVA_BYTE, 0) & 0xFF, chroma.get(JAVA_BYTE, 0) & 0xFF, chroma.get(JAVA_BYTE, 1) & 0xFF};
        }
    }

    private static void assertNear(int[] expected, int[] actual) {
        for (int i = 0; i < 3; i++) {
            if (Math.abs(expected[i] - actual[i]) > 2) {
                throw new AssertionError("expected YUV ≈ " + java.util.Arrays.toString(expected) + " but was "
                        + java.util.Arrays.toString(actual));
            }
        }
    }

    @Test
    void argbReadsBytesAsBlueGreenRedAlpha() {
        // bytes B=0 G=0 R=255 A=255: red, BT.601 limited range Y 82, Cb 90, Cr 240
        assertNear(new int[] {82, 90, 240}, toNv12(new byte[] {0, 0, (byte) 255, (byte) 255}, true));
    }

    @Test
    void abgrReadsBytesAsRedGreenBlueAlpha() {
        // the same bytes read as R=0 G=0 B=255: blue, Y 41, Cb 240, Cr 110
        assertNear(new int[] {41, 240, 110}, toNv12(new byte[] {0, 0, (byte) 255, (byte) 255}, false));
        assertNear(new int[] {82, 90, 240}, toNv12(new byte[] {(byte) 255, 0, 0, (byte) 255}, false));
    }
}
