package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.DmaBufFrame;
import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which DMA-BUF frames a libavcodec session offers to its GPU, decided before libva is called: only h264_vaapi on a
 * display framebridge opened imports, only NV12, and never again after the driver refused once. (The import itself
 * needs a render node: not run here.)
 */
class DmaBufRouteTest {
    private static final int TRY = -1;

    @Test
    void onlyH264VaapiWithItsOwnDisplayTriesTheImport() {
        assertEquals(TRY, AvcodecSession.dmaBufRoute(AvcodecCodec.H264_VAAPI, true, PixelFormat.NV12, false));
        for (AvcodecCodec codec : AvcodecCodec.values()) {
            if (codec != AvcodecCodec.H264_VAAPI) {
                assertEquals(DmaBufFrame.NOT_THIS_ENCODER, AvcodecSession.dmaBufRoute(codec, true, PixelFormat.NV12,
                        false), codec.encoderName());
            }
        }
        assertEquals(DmaBufFrame.NOT_THIS_ENCODER,
                AvcodecSession.dmaBufRoute(AvcodecCodec.H264_VAAPI, false, PixelFormat.NV12, false), "no VA display");
    }

    @Test
    void onlyNv12IsImportedRgbAndI420GoByTheCpu() {
        for (PixelFormat format : new PixelFormat[] {PixelFormat.BGRA8888, PixelFormat.RGBA8888, PixelFormat.I420}) {
            assertEquals(DmaBufFrame.NOT_NV12, AvcodecSession.dmaBufRoute(AvcodecCodec.H264_VAAPI, true, format, false),
                    format.toString());
        }
    }

    @Test
    void aSessionWhoseDriverRefusedOnceDoesNotTryAgain() {
        assertEquals(DmaBufFrame.REFUSED,
                AvcodecSession.dmaBufRoute(AvcodecCodec.H264_VAAPI, true, PixelFormat.NV12, true));
    }
}
