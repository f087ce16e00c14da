package dev.framebridge.ffi;

import dev.framebridge.nativebuild.NativeProbe;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * native-build/probes/yuv.c compiles against the libyuv headers with each function assigned to a pointer of the
 * C type {@link LibYuv}'s descriptors mirror, and links with -lyuv: a changed signature or a renamed symbol fails
 * here. The probe's symbol list and the binding's must be the same list.
 */
class LibYuvProbeTest {

    @Test
    void probeCompilesLinksAndNamesExactlyTheFunctionsTheBindingBinds() throws Exception {
        Map<String, Long> facts = NativeProbe.facts("yuv", "-lyuv");
        Set<String> probed = new TreeSet<>();
        facts.forEach((key, value) -> {
            if (key.startsWith("libyuv.symbol.") && value == 1) {
                probed.add(key.substring("libyuv.symbol.".length()));
            }
        });
        assertEquals(new TreeSet<>(LibYuv.SYMBOLS), probed);
    }

    @Test
    void everyBoundSymbolResolvesInTheInstalledLibrary() {
        assertEquals(null, LibYuv.unavailableReason());
    }
}
