package dev.framebridge.encode.vaapi;

import dev.framebridge.ffi.LibVa;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a device's answer to libva's queries becomes a probe line. The inputs are what real drivers report (shapes
 * taken from vainfo listings: a decode-only GPU, an Intel iHD with both encoders); the queries themselves need a
 * render node and are not run here.
 */
class VaCapabilitiesTest {

    @Test
    void aGpuThatDecodesH264ButCannotEncodeItIsNamedDecodeOnly() {
        VaCapabilities caps = new VaCapabilities("Mesa Gallium driver 22.3.6 for AMD Radeon", Map.of(
                LibVa.VAProfileH264High, List.of(LibVa.VAEntrypointVLD),
                LibVa.VAProfileH264Main, List.of(LibVa.VAEntrypointVLD)),
                LibVa.VAProfileNone, 0, 0);
        String problem = caps.h264Problem();
        assertTrue(problem.startsWith("no H.264 entrypoint: the driver (Mesa Gallium driver 22.3.6 for AMD Radeon) offers"
                + " no EncSlice or EncSliceLP for H.264; it has VAProfileH264High (VLD), VAProfileH264Main (VLD),"
                + " i.e. decode only"), problem);
    }

    @Test
    void anEncoderWithCbrIsFineAndItsLowPowerEntrypointIsUsed() {
        VaCapabilities caps = new VaCapabilities("Intel iHD driver", Map.of(
                LibVa.VAProfileH264High, List.of(LibVa.VAEntrypointVLD, LibVa.VAEntrypointEncSlice,
                        LibVa.VAEntrypointEncSliceLP)),
                LibVa.VAProfileH264High, LibVa.VAEntrypointEncSliceLP, LibVa.VA_RC_CBR | LibVa.VA_RC_VBR | LibVa.VA_RC_CQP);
        assertNull(caps.h264Problem());
        assertTrue(caps.lowPower() && caps.supportsCbr());
        assertEquals(List.of("driver: Intel iHD driver", "VAProfileH264High: VLD, EncSlice, EncSliceLP",
                "H.264 encoding: VAProfileH264High on EncSliceLP, rate control CBR|VBR|CQP"), caps.describe());
    }

    @Test
    void anEncoderWithOnlyConstantQpCannotKeepTheBitrate() {
        VaCapabilities caps = new VaCapabilities("some driver", Map.of(
                LibVa.VAProfileH264Main, List.of(LibVa.VAEntrypointEncSlice)),
                LibVa.VAProfileH264Main, LibVa.VAEntrypointEncSlice, LibVa.VA_RC_CQP);
        assertEquals("the H.264 encoder offers neither CBR nor VBR rate control (CQP), which framebridge's real-time"
                + " recipe needs", caps.h264Problem());
    }
}
