package dev.framebridge.ffi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class X264LibraryTest {

    @Test
    void installedLibraryIsTheSupportedBuild() {
        assertNull(X264.unavailableReason());
    }

    @Test
    void missingLibraryIsReportedWithThePackageToInstallNotACrash() {
        String reason = X264.unavailableReasonFor("libx264.so.999", "libx264-999", 999);
        assertTrue(reason.contains("libx264.so.999 not found"), reason);
        assertTrue(reason.contains("apt-get install libx264-999"), reason);
    }

    @Test
    void missingLibraryThrowsNativeLibraryMissingFromTheLoader() {
        NativeLibraryMissing e = assertThrows(NativeLibraryMissing.class,
                () -> NativeLibraries.load("libx264.so.999", "libx264-999", "x264"));
        assertTrue(e.getMessage().contains("install libx264-999"), e.getMessage());
    }

    @Test
    void anotherInstalledBuildIsNamedWithHowToRegenerate() {
        // Pretend the binding was generated for build 163: the installed library (164) must be refused by name.
        String reason = X264.unavailableReasonFor(X264.SONAME, X264.DEBIAN_PACKAGE, 163);
        assertTrue(reason.contains("is x264 build 164"), reason);
        assertTrue(reason.contains("supports build 163"), reason);
        assertTrue(reason.contains("X264LayoutTest"), reason);
        assertTrue(reason.contains("native-build/probes/x264.c"), reason);
    }

    @Test
    void aLibraryWithoutAnyOpenFunctionIsNotTakenForX264() {
        String reason = X264.unavailableReasonFor(LibYuv.SONAME, LibYuv.DEBIAN_PACKAGE, 164);
        assertTrue(reason.contains("exports no x264_encoder_open_<BUILD>"), reason);
    }
}
