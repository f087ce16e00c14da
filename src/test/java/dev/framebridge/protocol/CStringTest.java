package dev.framebridge.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class CStringTest {
    private final MemorySegment field = MemorySegment.ofArray(new byte[8]);

    @Test
    void longTextIsTruncatedAndStillNulTerminated() {
        assertEquals(7, CString.write(field, 0, 8, "0123456789"));
        assertEquals("0123456", CString.read(field, 0, 8));
        assertEquals(0, field.get(ValueLayout.JAVA_BYTE, 7));
    }

    @Test
    void multiByteCharacterIsNeverSplitAtTheLimit() {
        // "abcde" + "×" (2 bytes) fits 7; "abcdef" + "×" would need 8 bytes + NUL: the × is dropped whole.
        assertEquals(7, CString.write(field, 0, 8, "abcde×"));
        assertEquals("abcde×", CString.read(field, 0, 8));
        assertEquals(6, CString.write(field, 0, 8, "abcdef×"));
        assertEquals("abcdef", CString.read(field, 0, 8));
        assertEquals(0, field.get(ValueLayout.JAVA_BYTE, 6));
    }

    @Test
    void shortTextIsNulPadded() {
        field.fill((byte) 'x');
        CString.write(field, 0, 8, "ab");
        for (int i = 2; i < 8; i++) {
            assertEquals(0, field.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
    }

    @Test
    void supplementaryCharactersAreEncodedAsFourBytes() {
        MemorySegment big = MemorySegment.ofArray(new byte[16]);
        assertEquals(5, CString.write(big, 0, 16, "a\uD83D\uDE00"));
        assertEquals("a\uD83D\uDE00", CString.read(big, 0, 16));
    }
}
