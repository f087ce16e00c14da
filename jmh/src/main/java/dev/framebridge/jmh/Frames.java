package dev.framebridge.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A short loop of synthetic BGRA frames in native memory: a gradient that scrolls, a sharp grid and a moving box —
 * motion and edges for x264, and real pixel bytes for the transport.
 */
final class Frames implements AutoCloseable {
    final int width;
    final int height;
    final int stride;
    final long bytes;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] frames;

    Frames(String size, int count) {
        String[] wh = size.split("x");
        width = Integer.parseInt(wh[0]);
        height = Integer.parseInt(wh[1]);
        stride = width * 4;
        bytes = (long) stride * height;
        frames = new MemorySegment[count];
        for (int f = 0; f < count; f++) {
            MemorySegment s = arena.allocate(bytes, 4096);
            int boxX = (f * 24) % Math.max(1, width - 128);
            int boxY = (f * 12) % Math.max(1, height - 128);
            for (int y = 0; y < height; y++) {
                long row = (long) y * stride;
                for (int x = 0; x < width; x++) {
                    int b = (x + 7 * f) & 0xFF;
                    int g = (y + 3 * f) & 0xFF;
                    int r = ((x ^ y) & 16) != 0 ? 0xE0 : 0x20;
                    if (x >= boxX && x < boxX + 128 && y >= boxY && y < boxY + 128) {
                        r = 0xFF - r;
                        g = 0xFF - g;
                    }
                    s.set(ValueLayout.JAVA_INT_UNALIGNED, row + 4L * x, 0xFF00_0000 | r << 16 | g << 8 | b);
                }
            }
            frames[f] = s;
        }
    }

    MemorySegment frame(long n) {
        return frames[(int) (n % frames.length)];
    }

    @Override
    public void close() {
        arena.close();
    }
}
