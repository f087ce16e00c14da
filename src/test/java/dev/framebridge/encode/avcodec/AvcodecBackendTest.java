package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.encode.EncoderException;
import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each libavcodec backend says about a host, asked for real: the libraries and the encoders built into this
 * libavcodec, then the device — a /dev/dri with no render node, a "render node" that is not a DRM device, a missing
 * NVIDIA driver. (No machine of this project has a GPU with a video encoder; the positive device paths are not
 * run here.)
 */
class AvcodecBackendTest {
    @TempDir
    Path dir;

    @Test
    void everyGpuEncoderExceptVideoToolboxIsBuiltIntoDebiansLibavcodec() {
        for (AvcodecCodec codec : AvcodecCodec.values()) {
            String reason = new AvcodecBackend(codec).unavailableReason();
            if (codec == AvcodecCodec.H264_VIDEOTOOLBOX) {
                assertEquals("this libavcodec (libavcodec.so.59) has no h264_videotoolbox encoder: its build left it out",
                        reason);
            } else {
                assertNull(reason, codec.encoderName());
            }
        }
    }

    @Test
    void vaapiAndQsvWithoutARenderNodeSaySoAndHowToPassOneIntoAContainer() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("dri"));
        assertEquals("no render node (" + empty + " has no renderD* device: no GPU with a DRM driver is visible here)",
                new AvcodecBackend(AvcodecCodec.H264_VAAPI, empty, dir.resolve("nvidiactl")).deviceProblem());
        Path missing = dir.resolve("no-dri");
        String qsv = new AvcodecBackend(AvcodecCodec.H264_QSV, missing, dir.resolve("nvidiactl")).deviceProblem();
        assertTrue(qsv.startsWith("no render node (" + missing + " does not exist") && qsv.contains("--device /dev/dri"),
                qsv);
    }

    @Test
    void aRenderNodeThatIsNotADrmDeviceIsNamedWithTheStepThatRefusedIt() throws Exception {
        Path dri = Files.createDirectory(dir.resolve("dri"));
        Path fake = Files.createFile(dri.resolve("renderD128"));
        String reason = new AvcodecBackend(AvcodecCodec.H264_VAAPI, dri, dir.resolve("nvidiactl")).deviceProblem();
        assertEquals("vaGetDisplayDRM gave no display for " + fake + ": it is not a DRM device libva can use", reason);
    }

    @Test
    void aRenderNodeThatCannotBeOpenedSaysWhy() throws Exception {
        Path dri = Files.createDirectory(dir.resolve("dri"));
        Files.createDirectory(dri.resolve("renderD129")); // a directory cannot be opened read-write
        String reason = new AvcodecBackend(AvcodecCodec.H264_VAAPI, dri, dir.resolve("nvidiactl")).deviceProblem();
        assertTrue(reason.startsWith("cannot open " + dri.resolve("renderD129") + ": open: "), reason);
        assertTrue(reason.contains("EISDIR") || reason.contains("directory"), reason);
    }

    @Test
    void nvencWithoutTheNvidiaDriverSaysSo() {
        String reason = new AvcodecBackend(AvcodecCodec.H264_NVENC, dir, dir.resolve("nvidiactl")).deviceProblem();
        assertEquals("no NVIDIA GPU: " + dir.resolve("nvidiactl") + " does not exist (no NVIDIA kernel driver loaded)",
                reason);
    }

    @Test
    void openingAGpuEncoderWithNoDeviceFailsWithTheDeviceReasonNotACrash() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("dri"));
        AvcodecBackend vaapi = new AvcodecBackend(AvcodecCodec.H264_VAAPI, empty, dir.resolve("nvidiactl"));
        EncoderException e = assertThrows(EncoderException.class,
                () -> vaapi.open(EncoderConfig.defaults(640, 480, PixelFormat.NV12)));
        assertTrue(e.getMessage().startsWith("h264_vaapi unavailable: no render node"), e.getMessage());
    }

    @Test
    void nvencOpenedWithoutAGpuFailsInsideLibavcodecWithLibavsOwnReason() {
        // The device check is skipped here on purpose: this is what a host whose driver is there but broken sees.
        EncoderException e = assertThrows(EncoderException.class, () -> AvcodecSession.open(AvcodecCodec.H264_NVENC,
                EncoderConfig.defaults(640, 480, PixelFormat.NV12), null, AvcodecRecipe.DeviceHints.DEFAULT));
        assertTrue(e.getMessage().startsWith("av_hwdevice_ctx_create(h264_nvenc's device) failed: "), e.getMessage());
        System.out.println("h264_nvenc on this machine: " + e.getMessage());
    }

    @Test
    void i420IsRefusedByGpuEncodersWithTheFormatsTheyTake() {
        EncoderException e = assertThrows(EncoderException.class, () -> AvcodecSession.open(AvcodecCodec.H264_QSV,
                EncoderConfig.defaults(640, 480, PixelFormat.I420), null, AvcodecRecipe.DeviceHints.DEFAULT));
        assertTrue(e.getMessage().contains("takes NV12, BGRA or RGBA"), e.getMessage());
    }
}
