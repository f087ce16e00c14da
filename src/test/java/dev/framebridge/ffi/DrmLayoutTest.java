package dev.framebridge.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.framebridge.nativebuild.LayoutCheck;
import dev.framebridge.nativebuild.LayoutFacts;
import dev.framebridge.nativebuild.NativeProbe;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every struct, ioctl number and constant of {@link Drm} and {@link VirtioGpu} against the DRM uapi headers as the
 * C compiler sees them (native-build/probes/drm.c and virtgpu.c, headers from libdrm-dev). Both directions: a
 * Java value the probe does not print fails, and so does a probe fact Java does not declare. The ioctl numbers
 * are the strongest check: each encodes its struct's size, so a struct that is one byte off changes the number.
 */
class DrmLayoutTest {

    @Test
    void drmStructsAndIoctlNumbersMatchDrmHAndDrmModeH() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("drm", libdrmCflags());
        LayoutFacts declared = new LayoutFacts();
        constantsOf(Drm.class, declared);
        declared.struct(Drm.drm_version)
                .struct(Drm.drm_gem_close)
                .struct(Drm.drm_prime_handle)
                .struct(Drm.drm_mode_create_dumb)
                .struct(Drm.drm_mode_map_dumb)
                .struct(Drm.drm_mode_destroy_dumb)
                .struct(Drm.drm_mode_card_res)
                .struct(Drm.drm_mode_modeinfo)
                .struct(Drm.drm_mode_get_connector)
                .struct(Drm.drm_mode_get_encoder)
                .struct(Drm.drm_mode_crtc)
                .struct(Drm.drm_mode_fb_cmd)
                .struct(Drm.drm_mode_fb_dirty_cmd)
                .struct(Drm.drm_clip_rect);

        List<String> problems = LayoutCheck.problems(fromC, declared.toMap(), true);
        assertEquals(List.of(), problems, "Java bindings disagree with <drm.h>/<drm_mode.h>:\n" + String.join("\n", problems));
    }

    @Test
    void virtioGpuStructsAndIoctlNumbersMatchVirtgpuDrmH() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("virtgpu", libdrmCflags());
        LayoutFacts declared = new LayoutFacts();
        constantsOf(VirtioGpu.class, declared);
        declared.struct(VirtioGpu.drm_virtgpu_getparam)
                .struct(VirtioGpu.drm_virtgpu_resource_info);

        List<String> problems = LayoutCheck.problems(fromC, declared.toMap(), true);
        assertEquals(List.of(), problems, "Java bindings disagree with <virtgpu_drm.h>:\n" + String.join("\n", problems));
    }

    /** Where libdrm-dev puts the uapi headers ({@code -I/usr/include/libdrm} on Debian). */
    private static String libdrmCflags() throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder("pkg-config", "--cflags", "libdrm").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() == 0 && out.startsWith("-I")) {
                return out.split("\\s+")[0];
            }
        } catch (IOException noPkgConfig) {
            // fall through to Debian's path
        }
        return "-I/usr/include/libdrm";
    }

    /** Every public static final int or long (ioctl numbers are unsigned long; the probe prints them unsigned). */
    private static void constantsOf(Class<?> type, LayoutFacts facts) throws IllegalAccessException {
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m)) {
                continue;
            }
            if (f.getType() == int.class) {
                facts.constant(f.getName(), Integer.toUnsignedLong(f.getInt(null)));
            } else if (f.getType() == long.class) {
                facts.constant(f.getName(), f.getLong(null));
            }
        }
    }
}
