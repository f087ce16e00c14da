package dev.framebridge.engine;

import dev.framebridge.encode.RgbToNv12;
import dev.framebridge.frame.FrameSlot;
import dev.framebridge.frame.PixelFormat;

/**
 * Converts an RGB frame to the encoder's NV12 while it arrives: after each read, the row pairs that became
 * complete, while they are still in cache. The encode agent then gets a frame that is ready to encode, and with an
 * encode thread of its own it encodes one frame while this converts the next. One per connection; I/O thread only;
 * allocation-free (the slot's converted area grows only on a size change).
 *
 * <p>Used only when the backend converts with {@link RgbToNv12} itself, so the result is the same bytes it would
 * have produced. Should libyuv refuse a band (it cannot with validated requests), the frame simply goes to the
 * encoder unconverted.
 */
final class ConvertOnArrival {
    private PixelFormat format; // null: this frame is not converted here
    private int width;
    private int height;
    private int stride;
    private long pixels;
    private long nv12;
    private int rowsConverted;

    /** A frame's pixels start arriving into {@code slot}; {@code format} null means "do not convert". */
    void start(FrameSlot slot, PixelFormat format, int width, int height, int stride) {
        slot.isConverted = false;
        if (format == null || !RgbToNv12.converts(format)) {
            this.format = null;
            return;
        }
        this.format = format;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.pixels = slot.pixels().address();
        this.nv12 = slot.converted(RgbToNv12.bytes(width, height)).address();
        this.rowsConverted = 0;
    }

    /** Whether this frame's rows are being converted here. */
    boolean converting() {
        return format != null;
    }

    /** The first {@code bytes} bytes of the frame are in: convert the row pairs that completed. */
    void arrived(long bytes) {
        if (format == null) {
            return;
        }
        int ready = RgbToNv12.convertibleRows((int) Math.min(height, bytes / stride), height);
        if (ready > rowsConverted) {
            if (RgbToNv12.convertRows(format, pixels, stride, width, height, nv12, rowsConverted, ready) != 0) {
                format = null; // the encoder converts this frame itself
                return;
            }
            rowsConverted = ready;
        }
    }

    /** The whole frame is in: marks the slot converted when every row was; returns whether it was. */
    boolean finish(FrameSlot slot) {
        if (format == null) {
            return false;
        }
        arrived((long) stride * height);
        slot.isConverted = format != null;
        format = null;
        return slot.isConverted;
    }
}
