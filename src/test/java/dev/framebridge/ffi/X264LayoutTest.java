package dev.framebridge.ffi;

import dev.framebridge.nativebuild.LayoutCheck;
import dev.framebridge.nativebuild.NativeProbe;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every size, offset and constant {@link X264} declares must equal what native-build/probes/x264.c prints from the
 * installed x264.h. The Java facts are collected by reflection (every {@code *$OFFSET} with its {@code *$LAYOUT},
 * every {@code sizeof()}, every X264_ and NAL_ constant), so a member added to the binding is checked automatically.
 */
class X264LayoutTest {

    static Map<String, Long> javaFacts() throws ReflectiveOperationException {
        Map<String, Long> facts = new TreeMap<>();
        for (Class<?> struct : X264.class.getDeclaredClasses()) {
            if (!struct.getSimpleName().startsWith("x264_")) {
                continue;
            }
            String name = struct.getSimpleName();
            facts.put(name + ".sizeof", (Long) struct.getMethod("sizeof").invoke(null));
            for (Field f : struct.getFields()) {
                if (f.getName().endsWith("$OFFSET")) {
                    String member = f.getName().substring(0, f.getName().length() - "$OFFSET".length());
                    MemoryLayout layout = (MemoryLayout) struct.getField(member + "$LAYOUT").get(null);
                    String key = name + "." + member.replace('$', '.');
                    facts.put(key, f.getLong(null));
                    facts.put(key + ".sizeof", layout.byteSize());
                }
            }
        }
        for (Field f : X264.class.getFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())
                    && (f.getName().startsWith("X264_") || f.getName().startsWith("NAL_"))) {
                facts.put(f.getName(), (long) f.getInt(null));
            }
        }
        return facts;
    }

    @Test
    void everySizeOffsetAndConstantMatchesTheInstalledX264Header() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("x264", "-lx264");
        List<String> problems = LayoutCheck.problems(fromC, javaFacts(), false);
        assertEquals(List.of(), problems, "dev.framebridge.ffi.X264 disagrees with x264.h (X264_BUILD "
                + fromC.get("X264_BUILD") + "); update the binding:\n" + String.join("\n", problems));
    }

    @Test
    void theComparisonCoversEveryMemberTheEncoderTouches() throws Exception {
        Map<String, Long> java = javaFacts();
        for (String key : List.of("X264_BUILD", "X264_CSP_NV12", "X264_TYPE_IDR", "x264_param_t.sizeof",
                "x264_param_t.rc.i_bitrate", "x264_param_t.i_fps_num", "x264_picture_t.img.plane.sizeof",
                "x264_picture_t.i_pts", "x264_nal_t.p_payload", "x264_nal_t.i_payload.sizeof")) {
            assertTrue(java.containsKey(key), key + " missing from the Java facts: " + java.keySet());
        }
    }

    @Test
    void aWrongOffsetWouldFailTheCheck() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("x264", "-lx264");
        Map<String, Long> skewed = new HashMap<>(javaFacts());
        skewed.put("x264_picture_t.i_pts", skewed.get("x264_picture_t.i_pts") + 4);
        List<String> problems = LayoutCheck.problems(fromC, skewed, false);
        assertFalse(problems.isEmpty());
        assertTrue(problems.get(0).contains("x264_picture_t.i_pts"), problems.toString());
    }
}
