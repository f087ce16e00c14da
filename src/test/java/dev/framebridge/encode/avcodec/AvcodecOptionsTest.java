package dev.framebridge.encode.avcodec;

import dev.framebridge.encode.EncoderConfig;
import dev.framebridge.ffi.LibAvcodec;
import dev.framebridge.ffi.LibAvutil;
import dev.framebridge.frame.PixelFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Every option the recipe sets, with every value it can set, exists in this libavcodec and is accepted by the
 * encoder it is meant for — checked on a real context of each encoder (av_opt_set on avcodec_alloc_context3's
 * result, as an open does), which needs no GPU: Debian's libavcodec has h264_vaapi, h264_nvenc and h264_qsv built
 * in. h264_videotoolbox is macOS-only and not in this build: its options are not checked here.
 */
class AvcodecOptionsTest {

    private static List<EncoderConfig> configs() {
        EncoderConfig base = EncoderConfig.defaults(1280, 720, PixelFormat.BGRA8888);
        List<EncoderConfig> all = new ArrayList<>();
        for (int profile : new int[] {66, 77, 100}) {
            all.add(base.withProfile(profile, 41));
            all.add(base.withProfile(profile, 0).withFormat(PixelFormat.NV12));
        }
        all.add(base.withRateControl(EncoderConfig.RateControl.VBR).withFrameRate(60, 1).withKeyintMax(1));
        return all;
    }

    @ParameterizedTest
    @EnumSource(value = AvcodecCodec.class, names = {"H264_VAAPI", "H264_NVENC", "H264_QSV", "LIBX264"})
    void everyOptionTheRecipeSetsExistsAndTakesItsValue(AvcodecCodec codec) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            long avCodec = LibAvcodec.avcodec_find_encoder_by_name(arena.allocateFrom(codec.encoderName()));
            Assumptions.assumeTrue(avCodec != 0, "this libavcodec has no " + codec.encoderName());
            List<String> refused = new ArrayList<>();
            int checked = 0;
            for (EncoderConfig config : configs()) {
                for (AvcodecRecipe.DeviceHints hints : List.of(AvcodecRecipe.DeviceHints.DEFAULT,
                        new AvcodecRecipe.DeviceHints(true, false))) {
                    long context = LibAvcodec.avcodec_alloc_context3(avCodec);
                    assertNotEquals(0, context);
                    try {
                        for (AvcodecRecipe.Option o : AvcodecRecipe.options(codec, config, hints)) {
                            int rc = LibAvutil.av_opt_set(context, arena.allocateFrom(o.name()),
                                    arena.allocateFrom(o.value()), LibAvutil.AV_OPT_SEARCH_CHILDREN);
                            checked++;
                            if (rc < 0 && o.required()) {
                                refused.add(o.name() + "=" + o.value() + ": " + LibAvutil.av_strerror(rc));
                            }
                        }
                    } finally {
                        MemorySegment slot = arena.allocate(JAVA_LONG);
                        slot.set(JAVA_LONG, 0, context);
                        LibAvcodec.avcodec_free_context(slot);
                    }
                }
            }
            System.out.println(codec.encoderName() + ": " + checked + " option settings accepted");
            assertEquals(List.of(), refused, codec.encoderName() + " refuses options of the recipe");
        }
    }
}
