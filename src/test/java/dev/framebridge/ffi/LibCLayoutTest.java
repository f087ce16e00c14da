package dev.framebridge.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.framebridge.nativebuild.LayoutCheck;
import dev.framebridge.nativebuild.LayoutFacts;
import dev.framebridge.nativebuild.NativeProbe;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every size, offset and constant of {@link LibC}, {@link LibCLayouts} and {@link Vsock} against the
 * C compiler's view of the real headers (native-build/probes/libc.c and vsock.c). Both directions are
 * checked: a Java value the probe does not print fails, and so does a probe fact Java does not declare.
 */
class LibCLayoutTest {

    @Test
    void libcConstantsAndStructsMatchTheSystemHeaders() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("libc");
        LayoutFacts declared = new LayoutFacts();
        constantsOf(LibC.class, declared);
        declared.struct(LibCLayouts.sockaddr_un)
                .struct(LibCLayouts.sockaddr_in)
                .struct(LibCLayouts.sockaddr_in6)
                .struct(LibCLayouts.iovec)
                .struct(LibCLayouts.msghdr)
                .struct(LibCLayouts.cmsghdr)
                .struct(LibCLayouts.epoll_event)
                .struct(LibCLayouts.pollfd)
                .size("sockaddr_storage", LibCLayouts.SOCKADDR_STORAGE_SIZE)
                .constant("socklen_t.sizeof", LibCLayouts.SOCKLEN_T_SIZE)
                .constant("sa_family_t.sizeof", LibCLayouts.sockaddr_un.select(
                        java.lang.foreign.MemoryLayout.PathElement.groupElement("sun_family")).byteSize())
                .constant("mode_t.sizeof", 4) // LibC.chmod passes mode as JAVA_INT
                .constant("nfds_t.sizeof", 8) // LibC.poll passes nfds as JAVA_LONG
                .constant("off_t.sizeof", 8) // LibC.mmap passes the offset as JAVA_LONG
                .constant("MAP_FAILED", LibC.MAP_FAILED)
                .constant("CMSG_ALIGN(sizeof(struct cmsghdr))", LibCLayouts.CMSG_DATA)
                .constant("CMSG_LEN(1*sizeof(int))", LibCLayouts.cmsgLen(4))
                .constant("CMSG_SPACE(1*sizeof(int))", LibCLayouts.cmsgSpace(4))
                .constant("CMSG_LEN(4*sizeof(int))", LibCLayouts.cmsgLen(16))
                .constant("CMSG_SPACE(4*sizeof(int))", LibCLayouts.cmsgSpace(16));

        List<String> problems = LayoutCheck.problems(fromC, declared.toMap(), true);
        assertEquals(List.of(), problems, "Java bindings disagree with the C headers:\n" + String.join("\n", problems));
        assertTrue(fromC.size() > 100, "the probe printed suspiciously few facts: " + fromC.size());
    }

    @Test
    void vsockConstantsAndSockaddrVmMatchLinuxVmSocketsH() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("vsock");
        LayoutFacts declared = new LayoutFacts();
        constantsOf(Vsock.class, declared);
        declared.struct(Vsock.sockaddr_vm);

        List<String> problems = LayoutCheck.problems(fromC, declared.toMap(), true);
        assertEquals(List.of(), problems, "Java bindings disagree with <linux/vm_sockets.h>:\n" + String.join("\n", problems));
    }

    @Test
    void epollEventIsPackedExactlyOnX86_64() {
        long expected = LibCLayouts.EPOLL_PACKED ? 12 : 16;
        assertEquals(expected, LibCLayouts.epoll_event.byteSize());
        assertEquals(expected - 8, LibCLayouts.EPOLL_EVENT_DATA);
    }

    /**
     * Every {@code public static final} int or short of the class, as the probe prints it: C prints
     * unsigned macros such as {@code -1U} and {@code 1u << 31} as unsigned numbers.
     */
    private static void constantsOf(Class<?> type, LayoutFacts facts) throws IllegalAccessException {
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m)) {
                continue;
            }
            if (f.getType() == int.class) {
                facts.constant(f.getName(), Integer.toUnsignedLong(f.getInt(null)));
            } else if (f.getType() == short.class) {
                facts.constant(f.getName(), Short.toUnsignedLong(f.getShort(null)));
            }
        }
    }
}
