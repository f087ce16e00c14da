package dev.framebridge.encode;

import dev.framebridge.frame.PixelFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Converting a frame band by band, as its rows arrive, must give the very bytes of converting it whole. */
class RgbToNv12Test {

    @ParameterizedTest
    @CsvSource({"BGRA8888, 352, 288", "RGBA8888, 352, 288", "BGRA8888, 97, 31", "RGBA8888, 1920, 1080"})
    void bandsOfRowsAsTheyArriveGiveTheSameBytesAsTheWholeFrame(PixelFormat format, int width, int height) {
        int stride = width * 4 + 52; // padded rows, as guests send them
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate((long) stride * height, 64);
            Random random = new Random(width * 31L + height);
            byte[] noise = new byte[(int) src.byteSize()];
            random.nextBytes(noise);
            MemorySegment.copy(noise, 0, src, JAVA_BYTE, 0, noise.length);

            long bytes = RgbToNv12.bytes(width, height);
            MemorySegment whole = arena.allocate(bytes, 64);
            MemorySegment banded = arena.allocate(bytes, 64);
            whole.fill((byte) 1);
            banded.fill((byte) 2);
            int even = height & ~1;
            assertEquals(0, RgbToNv12.convertRows(format, src.address(), stride, width, height, whole.address(), 0, even));

            // Reads of arbitrary sizes: convert what each one completed, as the I/O agent does.
            long arrived = 0;
            int converted = 0;
            long total = (long) stride * height;
            while (arrived < total) {
                arrived = Math.min(total, arrived + 1 + random.nextInt(stride * 7));
                int ready = RgbToNv12.convertibleRows((int) (arrived / stride), height);
                assertEquals(0, RgbToNv12.convertRows(format, src.address(), stride, width, height, banded.address(),
                        converted, ready));
                converted = Math.max(converted, ready);
            }
            assertEquals(even, converted, "every row pair converted");
            int planeStride = RgbToNv12.planeStride(width);
            assertTrue(planeStride >= (width & ~1) && planeStride % 64 == 0);
            // Compare the pixels only: each row's padding past the even width is never written.
            for (int row = 0; row < even * 3 / 2; row++) {
                long at = (long) row * planeStride;
                assertEquals(-1L, MemorySegment.mismatch(whole, at, at + (width & ~1), banded, at, at + (width & ~1)),
                        "row " + row + " of the NV12 image differs");
            }
        }
    }
}
