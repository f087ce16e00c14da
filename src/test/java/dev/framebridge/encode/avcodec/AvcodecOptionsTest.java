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
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * After the whole recipe is set, each option holds the value the recipe meant — read back with av_opt_get_int on
     * the same kind of context an open uses (no GPU needed): a number literally, a named value (CBR, p1, ull, veryfast
     * …) as the number that name alone sets on a fresh context. So no option of the recipe silently undoes another,
     * and the real-time settings (bf 0, async_depth 1, delay 0, zerolatency, forced IDR, no lookahead, no SEI) are
     * there for each encoder, as Sunshine sets them for the same encoders. String options (x264-params, libx264's
     * preset and profile) are not integers and are checked by the encodes instead.
     */
    @ParameterizedTest
    @EnumSource(value = AvcodecCodec.class, names = {"H264_VAAPI", "H264_NVENC", "H264_QSV", "LIBX264"})
    void eachOptionReadsBackAsTheRecipeMeantIt(AvcodecCodec codec) throws Exception {
        EncoderConfig config = EncoderConfig.defaults(1920, 1080, PixelFormat.NV12).withBitrate(6_000_000)
                .withFrameRate(60, 1).withKeyintMax(120).withProfile(100, 41);
        try (Arena arena = Arena.ofConfined()) {
            long avCodec = LibAvcodec.avcodec_find_encoder_by_name(arena.allocateFrom(codec.encoderName()));
            Assumptions.assumeTrue(avCodec != 0, "this libavcodec has no " + codec.encoderName());
            List<AvcodecRecipe.Option> recipe = AvcodecRecipe.options(codec, config, AvcodecRecipe.DeviceHints.DEFAULT);
            long all = LibAvcodec.avcodec_alloc_context3(avCodec);
            List<String> wrong = new ArrayList<>();
            List<String> checked = new ArrayList<>();
            try {
                for (AvcodecRecipe.Option o : recipe) {
                    LibAvutil.av_opt_set(all, arena.allocateFrom(o.name()), arena.allocateFrom(o.value()),
                            LibAvutil.AV_OPT_SEARCH_CHILDREN);
                }
                for (AvcodecRecipe.Option o : recipe) {
                    Long held = intOption(arena, all, o.name());
                    if (held == null) {
                        continue; // a string or dictionary option
                    }
                    long meant;
                    try {
                        meant = Long.parseLong(o.value());
                    } catch (NumberFormatException named) {
                        long alone = LibAvcodec.avcodec_alloc_context3(avCodec);
                        try {
                            assertEquals(0, LibAvutil.av_opt_set(alone, arena.allocateFrom(o.name()),
                                    arena.allocateFrom(o.value()), LibAvutil.AV_OPT_SEARCH_CHILDREN), o.toString());
                            meant = intOption(arena, alone, o.name());
                        } finally {
                            free(arena, alone);
                        }
                    }
                    checked.add(o.name() + "=" + o.value());
                    if (held != meant) {
                        wrong.add(o.name() + "=" + o.value() + " reads back as " + held + ", not " + meant);
                    }
                }
            } finally {
                free(arena, all);
            }
            System.out.println(codec.encoderName() + " reads back: " + String.join(" ", checked));
            assertEquals(List.of(), wrong);
            List<String> mustHold = switch (codec) {
                case H264_VAAPI -> List.of("bf=0", "g=120", "async_depth=1", "idr_interval=0", "rc_mode=CBR", "sei=0");
                case H264_NVENC -> List.of("bf=0", "g=120", "delay=0", "zerolatency=1", "forced-idr=1", "rc=cbr",
                        "rc-lookahead=0", "tune=ull", "preset=p1");
                case H264_QSV -> List.of("bf=0", "g=120", "async_depth=1", "forced_idr=1", "low_delay_brc=1",
                        "look_ahead=0", "idr_interval=0");
                default -> List.of("bf=0", "g=120", "forced-idr=1", "b=6000000", "bufsize=100000");
            };
            assertTrue(checked.containsAll(mustHold), "read back " + checked + ", wanted at least " + mustHold);
        }
    }

    /** The option's integer value (int, flags, bool, enum-like int options), or null when it is not an integer. */
    private static Long intOption(Arena arena, long context, String name) {
        MemorySegment value = arena.allocate(JAVA_LONG);
        int rc = LibAvutil.av_opt_get_int(context, arena.allocateFrom(name), LibAvutil.AV_OPT_SEARCH_CHILDREN, value);
        return rc < 0 ? null : value.get(JAVA_LONG, 0);
    }

    private static void free(Arena arena, long context) {
        MemorySegment slot = arena.allocate(JAVA_LONG);
        slot.set(JAVA_LONG, 0, context);
        LibAvcodec.avcodec_free_context(slot);
    }
}
