package dev.framebridge.qemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One QEMU console's current picture in an off-heap slot (BGRA, stride = width * 4): a Scanout replaces it, an
 * Update writes its rectangle in place, so the listener copies each pixel once, from the D-Bus receive buffer into
 * the slot. The slot grows only when a Scanout is larger than any before (a mode change), never per frame.
 * Writers and readers hold the frame's monitor; {@link #version()} counts changes so a reader can tell whether
 * anything happened since it last looked, and the damage since {@link #takeDamage} is kept as one rectangle.
 */
public final class ConsoleFrame {
    private final int console;
    private Arena arena = Arena.ofShared();
    private MemorySegment pixels = MemorySegment.NULL;
    private int width;
    private int height;
    private int format;
    private boolean enabled;
    private long version;
    private long scanouts;
    private long updates;
    private long refused;
    private long outsideUpdates;
    private String lastRefusal = "";
    /** Why the console will show nothing more (QEMU quit, its listener failed); null while it lives. */
    private String ended;
    private int damageX0 = Integer.MAX_VALUE;
    private int damageY0 = Integer.MAX_VALUE;
    private int damageX1;
    private int damageY1;

    public ConsoleFrame(int console) {
        this.console = console;
    }

    public int console() {
        return console;
    }

    /** Replaces the picture: {@code data} holds {@code height} rows of {@code stride} bytes. */
    public synchronized boolean scanout(int width, int height, int stride, int format, MemorySegment data) {
        if (!PixmanFormat.isBgra32(format)) {
            return refuse("Scanout in " + PixmanFormat.describe(format) + " (only 32-bit x8r8g8b8/a8r8g8b8 is taken; "
                    + "give the guest a 32-bit mode)");
        }
        long rowBytes = (long) width * 4;
        if (width <= 0 || height <= 0 || stride < rowBytes || data.byteSize() < (long) stride * (height - 1) + rowBytes) {
            return refuse("Scanout " + width + "x" + height + " stride " + stride + " with " + data.byteSize()
                    + " bytes of pixels: inconsistent");
        }
        long size = rowBytes * height;
        if (pixels.byteSize() < size) {
            arena.close();
            arena = Arena.ofShared();
            pixels = arena.allocate(size, 64);
        }
        copyRows(data, stride, 0, 0, width, height, width);
        this.width = width;
        this.height = height;
        this.format = format;
        this.enabled = true;
        scanouts++;
        damage(0, 0, width, height);
        return true;
    }

    /** {@link #update}'s answers. */
    public static final int APPLIED = 0;
    public static final int REFUSED = 1;
    /**
     * The rectangle lies outside the picture: QEMU 7.2 switched to a new surface without telling its listeners
     * (dbus_gfx_switch sends nothing there; later versions send a Scanout), so the size is now unknown.
     */
    public static final int OUTSIDE = 2;

    /**
     * Writes one damaged rectangle in place: {@code data} holds {@code h} rows of {@code stride} bytes.
     *
     * @return {@link #APPLIED}, {@link #REFUSED} or {@link #OUTSIDE}
     */
    public synchronized int update(int x, int y, int w, int h, int stride, int format, MemorySegment data) {
        if (!enabled) {
            outsideUpdates++;
            return OUTSIDE;
        }
        if (!PixmanFormat.isBgra32(format)) {
            refuse("Update in " + PixmanFormat.describe(format) + " on a " + PixmanFormat.describe(this.format)
                    + " scanout");
            return REFUSED;
        }
        long rowBytes = (long) w * 4;
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || stride < rowBytes || data.byteSize() < (long) stride * (h - 1) + rowBytes) {
            refuse("Update " + w + "x" + h + "+" + x + "+" + y + " stride " + stride + " with " + data.byteSize()
                    + " bytes of pixels: inconsistent");
            return REFUSED;
        }
        if ((long) x + w > width || (long) y + h > height) {
            outsideUpdates++;
            return OUTSIDE;
        }
        copyRows(data, stride, x, y, w, h, width);
        updates++;
        damage(x, y, x + w, y + h);
        return APPLIED;
    }

    /** The console stopped showing anything (Disable). */
    public synchronized void disable() {
        enabled = false;
        version++;
    }

    /**
     * The console is gone for good: QEMU quit or closed its listener. Readers waiting in {@link #awaitChange} wake and
     * see {@link #ended()}.
     */
    public synchronized void end(String why) {
        enabled = false;
        if (ended == null) {
            ended = why;
        }
        version++;
        notifyAll();
    }

    /** Why the console ended, or null while it lives. */
    public synchronized String ended() {
        return ended;
    }

    private void copyRows(MemorySegment data, int stride, int x, int y, int w, int h, int slotWidth) {
        long rowBytes = (long) w * 4;
        long slotStride = (long) slotWidth * 4;
        if (x == 0 && w == slotWidth && stride == rowBytes) {
            MemorySegment.copy(data, 0, pixels, y * slotStride, rowBytes * h);
            return;
        }
        for (int row = 0; row < h; row++) {
            MemorySegment.copy(data, (long) row * stride, pixels, (y + row) * slotStride + x * 4L, rowBytes);
        }
    }

    private void damage(int x0, int y0, int x1, int y1) {
        damageX0 = Math.min(damageX0, x0);
        damageY0 = Math.min(damageY0, y0);
        damageX1 = Math.max(damageX1, x1);
        damageY1 = Math.max(damageY1, y1);
        version++;
        notifyAll();
    }

    private boolean refuse(String reason) {
        refused++;
        lastRefusal = reason;
        return false;
    }

    /** Waits until the version differs from {@code seen} or {@code timeoutMs} passes; returns the version. */
    public synchronized long awaitChange(long seen, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (version == seen) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return version;
    }

    /** The damage since the last call as {x0, y0, x1, y1} into {@code out} (false when none), and resets it. */
    public synchronized boolean takeDamage(int[] out) {
        if (damageX1 <= damageX0 || damageY1 <= damageY0) {
            return false;
        }
        out[0] = damageX0;
        out[1] = damageY0;
        out[2] = damageX1;
        out[3] = damageY1;
        damageX0 = damageY0 = Integer.MAX_VALUE;
        damageX1 = damageY1 = 0;
        return true;
    }

    /** The pixels; read them only while holding this frame's monitor ({@code synchronized (frame)}). */
    public MemorySegment pixels() {
        return pixels.byteSize() == 0 ? pixels : pixels.asSlice(0, (long) width * 4 * height);
    }

    /**
     * The whole slot, rows {@link #stride()} apart from its start, at least {@code stride * height} bytes (more after
     * a mode got smaller): for the encoder, which reads width x height of it. Read it only while holding this
     * frame's monitor; unlike {@link #pixels()} it costs no object.
     */
    public MemorySegment slot() {
        return pixels;
    }

    public synchronized int width() {
        return width;
    }

    public synchronized int height() {
        return height;
    }

    public synchronized int stride() {
        return width * 4;
    }

    public synchronized int format() {
        return format;
    }

    public synchronized boolean enabled() {
        return enabled;
    }

    public synchronized long version() {
        return version;
    }

    public synchronized long scanouts() {
        return scanouts;
    }

    public synchronized long updates() {
        return updates;
    }

    /** Updates dropped because they lay outside the known picture (a surface switch QEMU 7.2 did not announce). */
    public synchronized long outsideUpdates() {
        return outsideUpdates;
    }

    public synchronized long refused() {
        return refused;
    }

    public synchronized String lastRefusal() {
        return lastRefusal;
    }

    /** Frees the slot; the frame is unusable afterwards. */
    public synchronized void release() {
        enabled = false;
        pixels = MemorySegment.NULL;
        arena.close();
    }
}
