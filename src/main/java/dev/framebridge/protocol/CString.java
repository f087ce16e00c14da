package dev.framebridge.protocol;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Fixed-size, NUL-terminated, NUL-padded UTF-8 text fields. Writing allocates nothing: characters are
 * encoded one by one, and a character that would not fit whole (with the terminating NUL) is dropped
 * with everything after it, so a reader never sees a split UTF-8 sequence.
 */
public final class CString {
    private CString() {
    }

    /** Writes {@code text} into {@code capacity} bytes at {@code offset}; returns the bytes of text written. */
    public static int write(MemorySegment segment, long offset, int capacity, CharSequence text) {
        int limit = capacity - 1;
        int pos = 0;
        int len = text == null ? 0 : text.length();
        for (int i = 0; i < len; i++) {
            int cp = text.charAt(i);
            if (Character.isHighSurrogate((char) cp) && i + 1 < len && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint((char) cp, text.charAt(i + 1));
            } else if (Character.isSurrogate((char) cp)) {
                cp = '?';
            }
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (pos + n > limit) {
                break;
            }
            switch (n) {
                case 1 -> put(segment, offset + pos, cp);
                case 2 -> {
                    put(segment, offset + pos, 0xC0 | (cp >> 6));
                    put(segment, offset + pos + 1, 0x80 | (cp & 0x3F));
                }
                case 3 -> {
                    put(segment, offset + pos, 0xE0 | (cp >> 12));
                    put(segment, offset + pos + 1, 0x80 | ((cp >> 6) & 0x3F));
                    put(segment, offset + pos + 2, 0x80 | (cp & 0x3F));
                }
                default -> {
                    put(segment, offset + pos, 0xF0 | (cp >> 18));
                    put(segment, offset + pos + 1, 0x80 | ((cp >> 12) & 0x3F));
                    put(segment, offset + pos + 2, 0x80 | ((cp >> 6) & 0x3F));
                    put(segment, offset + pos + 3, 0x80 | (cp & 0x3F));
                }
            }
            pos += n;
            if (n == 4) {
                i++;
            }
        }
        for (int p = pos; p < capacity; p++) {
            put(segment, offset + p, 0);
        }
        return pos;
    }

    /** Reads up to the first NUL (or {@code capacity} bytes) as UTF-8. Allocates: not for the hot path. */
    public static String read(MemorySegment segment, long offset, int capacity) {
        int n = 0;
        while (n < capacity && segment.get(ValueLayout.JAVA_BYTE, offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void put(MemorySegment segment, long at, int b) {
        segment.set(ValueLayout.JAVA_BYTE, at, (byte) b);
    }
}
