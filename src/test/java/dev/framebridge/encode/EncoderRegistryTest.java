package dev.framebridge.encode;

import dev.framebridge.encode.avcodec.AvcodecBackend;
import dev.framebridge.encode.avcodec.AvcodecCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncoderRegistryTest {
    @TempDir
    Path dir;

    /** Every backend, looking for GPUs where this test says (an empty /dev/dri, no NVIDIA device). */
    private List<EncoderBackend> backends() throws Exception {
        Path dri = Files.createDirectories(dir.resolve("dri"));
        List<EncoderBackend> all = new ArrayList<>();
        for (AvcodecCodec codec : AvcodecCodec.values()) {
            all.add(new AvcodecBackend(codec, dri, dir.resolve("nvidiactl")));
        }
        all.add(new X264Backend());
        return all;
    }

    @Test
    void thisBuildRegistersTheLibavcodecEncodersAndX264() {
        assertEquals(List.of("auto", "h264_videotoolbox", "h264_vaapi", "h264_nvenc", "h264_qsv", "x264", "libx264"),
                EncoderRegistry.standard().names());
    }

    @Test
    void autoOnLinuxWithoutGpusChoosesX264AndSaysExactlyWhyEachGpuEncoderWasSkipped() throws Exception {
        EncoderRegistry.Selection s = new EncoderRegistry(backends(), "Linux").select("auto");
        assertEquals("x264", s.backend().name());
        assertEquals(List.of(
                "h264_videotoolbox: skipped — not this OS (h264_videotoolbox needs macOS, this is Linux)",
                "h264_vaapi: skipped — no render node (" + dir.resolve("dri")
                        + " has no renderD* device: no GPU with a DRM driver is visible here)",
                "h264_nvenc: skipped — no NVIDIA GPU: " + dir.resolve("nvidiactl")
                        + " does not exist (no NVIDIA kernel driver loaded)",
                "h264_qsv: skipped — no render node (" + dir.resolve("dri")
                        + " has no renderD* device: no GPU with a DRM driver is visible here)",
                "x264: chosen"), s.report());
    }

    @Test
    void autoOnMacTriesVideoToolboxFirstAndSaysThisLibavcodecLacksIt() throws Exception {
        List<String> report = new EncoderRegistry(backends(), "Mac OS X").select("auto").report();
        assertEquals("h264_videotoolbox: skipped — library missing or unusable: this libavcodec (libavcodec.so.59)"
                + " has no h264_videotoolbox encoder: its build left it out", report.get(0));
        assertTrue(report.get(1).startsWith("h264_vaapi: skipped — not this OS"), report.get(1));
        assertEquals("x264: chosen", report.get(4));
    }

    @Test
    void autoWithNoUsableBackendFailsWithEveryReason() throws Exception {
        List<EncoderBackend> none = new ArrayList<>(backends());
        none.set(none.size() - 1, new X264Backend("libx264.so.999", "libx264-999", 164));
        EncoderException e = assertThrows(EncoderException.class,
                () -> new EncoderRegistry(none, "Linux").select("auto"));
        assertTrue(e.getMessage().contains("x264: skipped — library missing or unusable: libx264.so.999 not found"),
                e.getMessage());
        assertTrue(e.getMessage().contains("h264_vaapi: skipped — no render node"), e.getMessage());
    }

    @Test
    void aBackendWhoseTestEncodeComesOutWrongIsSkippedWithWhatWasWrong() throws Exception {
        List<EncoderBackend> list = new ArrayList<>(backends());
        list.set(list.size() - 1, new Mangling(new X264Backend(), Mangling.Fault.STRIP_SPS));
        EncoderException e = assertThrows(EncoderException.class, () -> new EncoderRegistry(list, "Linux").select("auto"));
        assertTrue(e.getMessage().contains("x264: skipped — test encode failed: frame 0 (IDR asked for): the IDR is not"
                + " preceded by SPS and PPS"), e.getMessage());

        list.set(list.size() - 1, new Mangling(new X264Backend(), Mangling.Fault.IGNORE_FORCED_IDR));
        e = assertThrows(EncoderException.class, () -> new EncoderRegistry(list, "Linux").select("x264"));
        assertTrue(e.getMessage().startsWith("encoder x264 cannot be used: test encode failed: frame 2 (IDR asked for): "),
                e.getMessage());
    }

    @Test
    void libx264ThroughLibavcodecPassesTheTestEncodeAndIsChosenByName() throws Exception {
        EncoderRegistry.Selection s = new EncoderRegistry(backends(), "Linux").select("libx264");
        assertEquals("libx264", s.backend().name());
        assertEquals(List.of("libx264: chosen (asked for by name; test encode passed)"), s.report());
    }

    @Test
    void explicitNameSelectsThatBackend() throws Exception {
        X264Backend x264 = new X264Backend();
        EncoderRegistry.Selection s = new EncoderRegistry(List.of(x264), "Linux").select("X264");
        assertSame(x264, s.backend());
    }

    @Test
    void anAliasNamesTheGpuEncoderAndItsRefusalSaysWhy() throws Exception {
        EncoderRegistry registry = new EncoderRegistry(backends(), "Linux");
        EncoderException e = assertThrows(EncoderException.class, () -> registry.select("vaapi"));
        assertTrue(e.getMessage().startsWith("encoder h264_vaapi cannot be used: no render node"), e.getMessage());
        assertTrue(e.getMessage().contains("valid names on this build are auto, h264_videotoolbox, h264_vaapi"),
                e.getMessage());
    }

    @Test
    void unknownNameListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EncoderRegistry.standard().select("amf"));
        assertTrue(e.getMessage().contains("unknown encoder 'amf'"), e.getMessage());
        assertTrue(e.getMessage().contains("valid names are auto, h264_videotoolbox, h264_vaapi, h264_nvenc, h264_qsv,"
                + " x264, libx264"), e.getMessage());
    }

    /** x264 with a fault injected into its output or its handling of forced IDRs: what a broken driver does. */
    private static final class Mangling implements EncoderBackend {
        enum Fault { STRIP_SPS, IGNORE_FORCED_IDR }

        private final EncoderBackend real;
        private final Fault fault;

        Mangling(EncoderBackend real, Fault fault) {
            this.real = real;
            this.fault = fault;
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public String unavailableReason() {
            return real.unavailableReason();
        }

        @Override
        public Encoder open(EncoderConfig config) throws EncoderException {
            Encoder encoder = real.open(config);
            Arena arena = Arena.ofShared();
            return new Encoder() {
                @Override
                public String name() {
                    return encoder.name();
                }

                @Override
                public EncoderConfig config() {
                    return encoder.config();
                }

                @Override
                public void encode(MemorySegment pixels, int stride, long pts, boolean forceIdr, EncodedFrame out)
                        throws EncoderException {
                    encoder.encode(pixels, stride, pts, fault == Fault.IGNORE_FORCED_IDR && pts > 0 ? false : forceIdr,
                            out);
                    if (fault == Fault.STRIP_SPS) {
                        byte[] au = out.accessUnit().toArray(JAVA_BYTE);
                        List<Integer> types = AnnexB.nalTypes(au);
                        int sps = types.indexOf(AnnexB.SPS);
                        if (sps >= 0) {
                            byte[] kept = withoutFirstNal(au, AnnexB.SPS);
                            MemorySegment copy = arena.allocate(kept.length);
                            MemorySegment.copy(kept, 0, copy, JAVA_BYTE, 0, kept.length);
                            out.set(copy, out.keyframe(), out.pts(), out.dts());
                        }
                    }
                }

                @Override
                public void reconfigure(EncoderConfig config) throws EncoderException {
                    encoder.reconfigure(config);
                }

                @Override
                public void close() {
                    encoder.close();
                    arena.close();
                }
            };
        }

        private static byte[] withoutFirstNal(byte[] au, int type) {
            for (int i = 0; i + 3 < au.length; i++) {
                if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1 && (au[i + 3] & 0x1F) == type) {
                    int start = i > 0 && au[i - 1] == 0 ? i - 1 : i;
                    int end = i + 3;
                    while (end + 2 < au.length && !(au[end] == 0 && au[end + 1] == 0 && au[end + 2] == 1)) {
                        end++;
                    }
                    if (end + 2 >= au.length) {
                        end = au.length;
                    } else if (au[end - 1] == 0) {
                        end--;
                    }
                    byte[] out = new byte[au.length - (end - start)];
                    System.arraycopy(au, 0, out, 0, start);
                    System.arraycopy(au, end, out, start, au.length - end);
                    return out;
                }
            }
            return au;
        }
    }
}
