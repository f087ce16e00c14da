package dev.framebridge.ffi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;

/**
 * The C structs of the libc socket, epoll and poll headers (Linux, 64-bit), named as the C structs
 * are (jextract style), with the offsets the facades use computed once. Every size and offset here
 * is compared with the C compiler's by {@code LibCLayoutTest} against {@code native-build/probes/libc.c}.
 *
 * <p>Pointer-sized fields ({@code size_t}, pointers) are declared as {@link java.lang.foreign.ValueLayout#JAVA_LONG}
 * where the facades write raw addresses into them: writing a {@code long} allocates nothing, whereas
 * building a {@code MemorySegment} for an address would. That is why only 64-bit targets are supported.
 */
public final class LibCLayouts {
    private LibCLayouts() {
    }

    static {
        if (ADDRESS.byteSize() != 8) {
            throw new ExceptionInInitializerError("framebridge supports 64-bit platforms only");
        }
    }

    /** x86_64 is the one Linux ABI whose {@code struct epoll_event} is packed (uapi {@code EPOLL_PACKED}). */
    static final boolean EPOLL_PACKED = System.getProperty("os.arch").equals("amd64")
            || System.getProperty("os.arch").equals("x86_64");

    /** Network byte order fields (ports, IPv4/IPv6 addresses). */
    private static final ByteOrder NET = ByteOrder.BIG_ENDIAN;

    public static final long SOCKLEN_T_SIZE = JAVA_INT.byteSize();
    public static final long SOCKADDR_STORAGE_SIZE = 128;

    /*
     * struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }   110 bytes
     */
    public static final StructLayout sockaddr_un = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("sun_path")
    ).withName("sockaddr_un");
    public static final long SUN_FAMILY = sockaddr_un.byteOffset(groupElement("sun_family"));
    public static final long SUN_PATH = sockaddr_un.byteOffset(groupElement("sun_path"));
    /** Longest path that fits, leaving room for the terminating NUL. */
    public static final int SUN_PATH_MAX = (int) sockaddr_un.select(groupElement("sun_path")).byteSize() - 1;

    /*
     * struct sockaddr_in { sa_family_t sin_family; in_port_t sin_port (BE); struct in_addr sin_addr (BE);
     *                      unsigned char sin_zero[8]; }   16 bytes
     */
    public static final StructLayout sockaddr_in = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"),
            JAVA_SHORT.withOrder(NET).withName("sin_port"),
            JAVA_INT.withOrder(NET).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero")
    ).withName("sockaddr_in");
    public static final long SIN_FAMILY = sockaddr_in.byteOffset(groupElement("sin_family"));
    public static final long SIN_PORT = sockaddr_in.byteOffset(groupElement("sin_port"));
    public static final long SIN_ADDR = sockaddr_in.byteOffset(groupElement("sin_addr"));

    /*
     * struct sockaddr_in6 { sa_family_t sin6_family; in_port_t sin6_port (BE); uint32_t sin6_flowinfo;
     *                       struct in6_addr sin6_addr; uint32_t sin6_scope_id; }   28 bytes
     */
    public static final StructLayout sockaddr_in6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"),
            JAVA_SHORT.withOrder(NET).withName("sin6_port"),
            JAVA_INT.withOrder(NET).withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id")
    ).withName("sockaddr_in6");
    public static final long SIN6_FAMILY = sockaddr_in6.byteOffset(groupElement("sin6_family"));
    public static final long SIN6_PORT = sockaddr_in6.byteOffset(groupElement("sin6_port"));
    public static final long SIN6_ADDR = sockaddr_in6.byteOffset(groupElement("sin6_addr"));
    public static final long SIN6_SCOPE_ID = sockaddr_in6.byteOffset(groupElement("sin6_scope_id"));

    /*
     * struct iovec { void *iov_base; size_t iov_len; }   16 bytes
     */
    public static final StructLayout iovec = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),
            JAVA_LONG.withName("iov_len")
    ).withName("iovec");
    public static final long IOV_BASE = iovec.byteOffset(groupElement("iov_base"));
    public static final long IOV_LEN = iovec.byteOffset(groupElement("iov_len"));

    /*
     * struct msghdr { void *msg_name; socklen_t msg_namelen; (4 pad) struct iovec *msg_iov; size_t msg_iovlen;
     *                 void *msg_control; size_t msg_controllen; int msg_flags; (4 pad) }   56 bytes
     */
    public static final StructLayout msghdr = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            JAVA_LONG.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)
    ).withName("msghdr");
    public static final long MSG_NAME = msghdr.byteOffset(groupElement("msg_name"));
    public static final long MSG_NAMELEN = msghdr.byteOffset(groupElement("msg_namelen"));
    public static final long MSG_IOV = msghdr.byteOffset(groupElement("msg_iov"));
    public static final long MSG_IOVLEN = msghdr.byteOffset(groupElement("msg_iovlen"));
    public static final long MSG_CONTROL = msghdr.byteOffset(groupElement("msg_control"));
    public static final long MSG_CONTROLLEN = msghdr.byteOffset(groupElement("msg_controllen"));
    public static final long MSG_FLAGS = msghdr.byteOffset(groupElement("msg_flags"));

    /*
     * struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; unsigned char __cmsg_data[]; }   16 bytes
     * The data of a control message starts at CMSG_ALIGN(sizeof(struct cmsghdr)).
     */
    public static final StructLayout cmsghdr = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type")
    ).withName("cmsghdr");
    public static final long CMSG_LEN_FIELD = cmsghdr.byteOffset(groupElement("cmsg_len"));
    public static final long CMSG_LEVEL = cmsghdr.byteOffset(groupElement("cmsg_level"));
    public static final long CMSG_TYPE = cmsghdr.byteOffset(groupElement("cmsg_type"));

    /** {@code CMSG_ALIGN(len)}: control messages are aligned to {@code size_t}. */
    public static long cmsgAlign(long len) {
        long a = JAVA_LONG.byteSize();
        return (len + a - 1) & ~(a - 1);
    }

    /** {@code CMSG_LEN(len)}: header plus {@code len} data bytes, the value of {@code cmsg_len}. */
    public static long cmsgLen(long len) {
        return cmsgAlign(cmsghdr.byteSize()) + len;
    }

    /** {@code CMSG_SPACE(len)}: the buffer bytes one control message with {@code len} data bytes takes. */
    public static long cmsgSpace(long len) {
        return cmsgAlign(cmsghdr.byteSize()) + cmsgAlign(len);
    }

    /** Offset of the data in a control message, {@code CMSG_DATA(cmsg) - cmsg}. */
    public static final long CMSG_DATA = cmsgAlign(cmsghdr.byteSize());

    /*
     * struct epoll_event { uint32_t events; epoll_data_t data; }  12 bytes packed on x86_64, else 16
     */
    public static final StructLayout epoll_event = EPOLL_PACKED
            ? MemoryLayout.structLayout(
                    JAVA_INT.withName("events"),
                    JAVA_LONG_UNALIGNED.withName("data")
            ).withName("epoll_event")
            : MemoryLayout.structLayout(
                    JAVA_INT.withName("events"),
                    MemoryLayout.paddingLayout(4),
                    JAVA_LONG.withName("data")
            ).withName("epoll_event");
    public static final long EPOLL_EVENT_EVENTS = epoll_event.byteOffset(groupElement("events"));
    public static final long EPOLL_EVENT_DATA = epoll_event.byteOffset(groupElement("data"));

    /*
     * struct pollfd { int fd; short events; short revents; }   8 bytes
     */
    public static final StructLayout pollfd = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents")
    ).withName("pollfd");
    public static final long POLLFD_FD = pollfd.byteOffset(groupElement("fd"));
    public static final long POLLFD_EVENTS = pollfd.byteOffset(groupElement("events"));
    public static final long POLLFD_REVENTS = pollfd.byteOffset(groupElement("revents"));

    /*
     * struct statx (linux/stat.h): the same layout on every architecture, which is why framebridge uses it rather
     * than struct stat. Only the fields read are named; the rest is padding. 256 bytes.
     *   __u32 stx_mask @0; __u16 stx_mode @28; __u64 stx_ino @32; __u64 stx_size @40;
     *   __u32 stx_dev_major @136; __u32 stx_dev_minor @140
     */
    public static final StructLayout statx = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"),
            MemoryLayout.paddingLayout(24),
            JAVA_SHORT.withName("stx_mode"),
            MemoryLayout.paddingLayout(2),
            JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"),
            MemoryLayout.paddingLayout(88),
            JAVA_INT.withName("stx_dev_major"),
            JAVA_INT.withName("stx_dev_minor"),
            MemoryLayout.paddingLayout(112)
    ).withName("statx");
    public static final long STX_MASK = statx.byteOffset(groupElement("stx_mask"));
    public static final long STX_MODE = statx.byteOffset(groupElement("stx_mode"));
    public static final long STX_INO = statx.byteOffset(groupElement("stx_ino"));
    public static final long STX_SIZE = statx.byteOffset(groupElement("stx_size"));
    public static final long STX_DEV_MAJOR = statx.byteOffset(groupElement("stx_dev_major"));
    public static final long STX_DEV_MINOR = statx.byteOffset(groupElement("stx_dev_minor"));
}
