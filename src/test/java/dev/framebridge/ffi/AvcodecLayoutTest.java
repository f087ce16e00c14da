package dev.framebridge.ffi;

import dev.framebridge.nativebuild.BindingFacts;
import dev.framebridge.nativebuild.LayoutCheck;
import dev.framebridge.nativebuild.NativeProbe;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every offset, size and constant {@link LibAvcodec} and {@link LibAvutil} declare must equal what
 * native-build/probes/avcodec.c prints from Debian's FFmpeg headers, and the library majors the binding refuses
 * others for must be the ones those headers (and the running libraries) are.
 */
class AvcodecLayoutTest {

    static Map<String, Long> javaFacts() throws ReflectiveOperationException {
        Map<String, Long> facts = new TreeMap<>();
        facts.putAll(BindingFacts.of(LibAvutil.class, n -> n.startsWith("AV") || n.startsWith("LIBAV")));
        facts.putAll(BindingFacts.of(LibAvcodec.class, n -> n.startsWith("AV") || n.startsWith("LIBAV")));
        return facts;
    }

    @Test
    void everyOffsetSizeAndConstantMatchesDebiansFfmpegHeaders() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("avcodec", "-lavcodec", "-lavutil");
        List<String> problems = LayoutCheck.problems(fromC, javaFacts(), false);
        assertEquals(List.of(), problems, "LibAvcodec/LibAvutil disagree with the FFmpeg headers (libavcodec "
                + fromC.get("LIBAVCODEC_VERSION_MAJOR") + ", libavutil " + fromC.get("LIBAVUTIL_VERSION_MAJOR")
                + "); update the binding:\n" + String.join("\n", problems));
    }

    @Test
    void theMajorsTheBindingAcceptsAreTheHeadersAndTheRunningLibraries() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("avcodec", "-lavcodec", "-lavutil");
        assertEquals(fromC.get("LIBAVCODEC_VERSION_MAJOR"), fromC.get("avcodec_version.major"));
        assertEquals(fromC.get("LIBAVUTIL_VERSION_MAJOR"), fromC.get("avutil_version.major"));
        assertNull(LibAvcodec.unavailableReason());
        assertEquals(LibAvcodec.LIBAVCODEC_VERSION_MAJOR, LibAvcodec.avcodec_version() >>> 16);
        assertEquals(LibAvutil.LIBAVUTIL_VERSION_MAJOR, LibAvutil.avutil_version() >>> 16);
    }

    @Test
    void theComparisonCoversEveryMemberTheEncoderTouches() throws Exception {
        Map<String, Long> java = javaFacts();
        for (String key : List.of("AVCodecContext.framerate", "AVCodecContext.hw_frames_ctx", "AVPacket.data",
                "AVPacket.size", "AVPacket.flags", "AVPacket.pts", "AVFrame.data", "AVFrame.linesize",
                "AVFrame.pict_type", "AVFrame.pts", "AVFrame.buf", "AVFrame.hw_frames_ctx", "AVBufferRef.data",
                "AVHWFramesContext.sw_format", "AVHWFramesContext.initial_pool_size", "AVHWDeviceContext.hwctx",
                "AVVAAPIDeviceContext.display", "AV_PIX_FMT_NV12", "AV_PIX_FMT_VAAPI", "AV_HWDEVICE_TYPE_QSV",
                "AVERROR_EAGAIN", "AV_PKT_FLAG_KEY", "LIBAVCODEC_VERSION_MAJOR", "LIBAVUTIL_VERSION_MAJOR")) {
            assertTrue(java.containsKey(key), key + " missing from the Java facts: " + java.keySet());
        }
    }

    @Test
    void aWrongOffsetWouldFailTheCheck() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("avcodec", "-lavcodec", "-lavutil");
        Map<String, Long> skewed = new HashMap<>(javaFacts());
        skewed.put("AVPacket.data", skewed.get("AVPacket.data") + 8);
        List<String> problems = LayoutCheck.problems(fromC, skewed, false);
        assertFalse(problems.isEmpty());
        assertTrue(problems.get(0).contains("AVPacket.data"), problems.toString());
    }

    @Test
    void anotherMajorIsRefusedWithWhatToDo() {
        String problem = LibAvutil.majorProblem(java.lang.foreign.SymbolLookup.libraryLookup(LibAvcodec.SONAME,
                java.lang.foreign.Arena.global()), LibAvcodec.SONAME, "avcodec_version", 60, "libavcodec");
        assertTrue(problem.startsWith(LibAvcodec.SONAME + " reports libavcodec 59."), problem);
        assertTrue(problem.contains("checked against libavcodec 60") && problem.contains("AvcodecLayoutTest"), problem);
    }
}
