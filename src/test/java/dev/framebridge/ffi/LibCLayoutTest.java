package dev.framebridge.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.framebridge.nativebuild.LayoutCheck;
import dev.framebridge.nativebuild.LayoutFacts;
import dev.framebridge.nativebuild.NativeProbe;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.TreeMap;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every size, offset and constant of {@link LibC}, {@link LibCLayouts} and {@link Vsock} against the
 * C compiler's view of the real headers (native-build/probes/libc.c and vsock.c), and every function descriptor
 * {@link LibC} links against the prototype in the headers (argument count, variadic or not, and each
 * argument's and the result's size and kind). Both directions are
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
                .struct(LibCLayouts.statx)
                .constant("MAP_FAILED", LibC.MAP_FAILED)
                .constant("off_t.sizeof", 8) // LibC.ftruncate/lseek/mmap pass off_t as JAVA_LONG
                .size("sockaddr_storage", LibCLayouts.SOCKADDR_STORAGE_SIZE)
                .constant("socklen_t.sizeof", LibCLayouts.SOCKLEN_T_SIZE)
                .constant("sa_family_t.sizeof", LibCLayouts.sockaddr_un.select(
                        java.lang.foreign.MemoryLayout.PathElement.groupElement("sun_family")).byteSize())
                .constant("mode_t.sizeof", 4) // LibC.chmod passes mode as JAVA_INT
                .constant("nfds_t.sizeof", 8) // LibC.poll passes nfds as JAVA_LONG
                .constant("MAP_FAILED", LibC.MAP_FAILED) // a pointer, compared as the long mmap returns
                .constant("CMSG_ALIGN(sizeof(struct cmsghdr))", LibCLayouts.CMSG_DATA)
                .constant("CMSG_LEN(1*sizeof(int))", LibCLayouts.cmsgLen(4))
                .constant("CMSG_SPACE(1*sizeof(int))", LibCLayouts.cmsgSpace(4))
                .constant("CMSG_LEN(4*sizeof(int))", LibCLayouts.cmsgLen(16))
                .constant("CMSG_SPACE(4*sizeof(int))", LibCLayouts.cmsgSpace(16));
        functionFacts(LibC.bindings()).forEach(declared::constant);

        List<String> problems = LayoutCheck.problems(fromC, declared.toMap(), true);
        assertEquals(List.of(), problems, "Java bindings disagree with the C headers:\n" + String.join("\n", problems));
        assertTrue(fromC.size() > 100, "the probe printed suspiciously few facts: " + fromC.size());
    }

    @Test
    void everyLinkedFunctionIsCheckedAgainstItsCPrototype() throws Exception {
        Map<String, Long> java = functionFacts(LibC.bindings());
        for (String key : List.of("fn.recv.arg1.kind", "fn.fcntl.variadic", "fn.strerror.return.kind",
                "fn.epoll_wait.arg1.sizeof", "fn.accept4.args")) {
            assertTrue(java.containsKey(key), key + " missing from the Java facts");
        }
        assertEquals(1L, java.get("fn.recv.arg1.kind"), "recv's buffer, a raw address, compares as a pointer");
        assertEquals(1L, java.get("fn.fcntl.variadic"), "fcntl is linked as variadic");
    }

    @Test
    void aDescriptorThatDisagreesWithItsPrototypeFailsTheCheck() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("libc");
        List<LibC.Binding> skewed = new ArrayList<>();
        for (LibC.Binding b : LibC.bindings()) {
            if (b.symbol().equals("recv")) {
                // size_t length passed as a Java int: the upper half of the register would be garbage
                b = new LibC.Binding("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT), -1);
            }
            skewed.add(b);
        }
        Map<String, Long> skewedFacts = functionFacts(skewed);
        Map<String, Long> cFunctions = new TreeMap<>();
        fromC.forEach((k, v) -> {
            if (k.startsWith("fn.")) {
                cFunctions.put(k, v);
            }
        });
        List<String> problems = LayoutCheck.problems(cFunctions, skewedFacts, true);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("fn.recv.arg2.sizeof: C says 8, Java says 4")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("fn.recv.arg1.kind: C says 1, Java says 0")), problems.toString());
        assertEquals(List.of(), LayoutCheck.problems(cFunctions, functionFacts(LibC.bindings()), true));
    }

    /**
     * The ABI facts of each linked function, in native-build/probe.h's vocabulary: fixed argument count, whether
     * variadic, and the size and kind (0 integer, 1 pointer, 2 floating point) of the return value and each fixed
     * argument. A symbol linked twice (with and without errno capture) must be described the same both times.
     */
    static Map<String, Long> functionFacts(List<LibC.Binding> bindings) {
        Map<String, Long> facts = new TreeMap<>();
        for (LibC.Binding b : bindings) {
            Map<String, Long> one = new TreeMap<>();
            String fn = "fn." + b.symbol() + ".";
            List<MemoryLayout> args = b.descriptor().argumentLayouts();
            int fixed = b.firstVariadicArg() >= 0 ? b.firstVariadicArg() : args.size();
            one.put(fn + "args", (long) fixed);
            one.put(fn + "variadic", b.firstVariadicArg() >= 0 ? 1L : 0L);
            MemoryLayout ret = b.descriptor().returnLayout().orElse(null);
            one.put(fn + "return.sizeof", ret == null ? 0 : ret.byteSize());
            one.put(fn + "return.kind", ret == null ? 0 : kind(ret));
            for (int i = 0; i < fixed; i++) {
                one.put(fn + "arg" + i + ".sizeof", args.get(i).byteSize());
                one.put(fn + "arg" + i + ".kind", kind(args.get(i)));
            }
            for (Map.Entry<String, Long> e : one.entrySet()) {
                Long before = facts.put(e.getKey(), e.getValue());
                if (before != null && !before.equals(e.getValue())) {
                    throw new AssertionError(b.symbol() + " is linked twice with different descriptors: " + e.getKey());
                }
            }
        }
        return facts;
    }

    private static long kind(MemoryLayout layout) {
        if (layout instanceof AddressLayout || layout.name().filter(LibC.RAW_ADDRESS_NAME::equals).isPresent()) {
            return 1;
        }
        return layout instanceof ValueLayout.OfFloat || layout instanceof ValueLayout.OfDouble ? 2 : 0;
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
    void dmaBufConstantsAndSyncStructMatchLinuxDmaBufH() throws Exception {
        Map<String, Long> fromC = NativeProbe.facts("dmabuf");
        LayoutFacts declared = new LayoutFacts();
        constantsOf(DmaBuf.class, declared);
        declared.struct(DmaBuf.dma_buf_sync);

        List<String> problems = LayoutCheck.problems(fromC, declared.toMap(), true);
        assertEquals(List.of(), problems, "Java bindings disagree with <linux/dma-buf.h>:\n" + String.join("\n", problems));
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
