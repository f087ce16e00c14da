package dev.framebridge.protocol;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

/** Hex vectors for golden-byte tests: whitespace and '|' separators are ignored. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
    }

    static MemorySegment segment(String hex) {
        return MemorySegment.ofArray(bytes(hex));
    }

    static String of(MemorySegment segment, long offset, long length) {
        byte[] b = segment.asSlice(offset, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    static String normalize(String hex) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes(hex));
    }
}
