package dev.framebridge.ffi;

import dev.framebridge.nativebuild.BindingFacts;
import dev.framebridge.nativebuild.LayoutCheck;
import dev.framebridge.nativebuild.NativeProbe;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every constant, size and offset of {@link LibVa} against native-build/probes/va.c compiled with the installed
 * va/va.h, va_drmcommon.h and drm_fourcc.h (which also checks every bound prototype, LibVaDrm's included). Both
 * directions: a fact the probe prints that the binding lacks fails too.
 */
class LibVaLayoutTest {

    @Test
    void everyConstantSizeAndOffsetMatchesTheInstalledLibvaHeaders() throws Exception {
        Map<String, Long> fromC = new TreeMap<>(NativeProbe.facts("va", "-lva", "-lva-drm"));
        assertEquals(12L, fromC.remove("va.linked_functions"));
        assertEquals(1L, fromC.remove("va_drm.linked_functions"));
        Map<String, Long> java = BindingFacts.of(LibVa.class, n -> n.startsWith("VA") || n.startsWith("DRM_"));
        List<String> problems = LayoutCheck.problems(fromC, java, true);
        assertEquals(List.of(), problems, "LibVa disagrees with the libva headers (VA-API "
                + fromC.get("VA_MAJOR_VERSION") + "." + fromC.get("VA_MINOR_VERSION") + "):\n"
                + String.join("\n", problems));
        assertTrue(java.size() > 80, "suspiciously few facts: " + java.size());
    }

    @Test
    void libvaAndItsDrmBackendLoad() {
        assertNull(LibVaDrm.unavailableReason());
    }
}
