package dev.framebridge.transport;

import static dev.framebridge.ffi.LibCLayouts.SIN6_ADDR;
import static dev.framebridge.ffi.LibCLayouts.SIN6_FAMILY;
import static dev.framebridge.ffi.LibCLayouts.SIN6_PORT;
import static dev.framebridge.ffi.LibCLayouts.SIN_ADDR;
import static dev.framebridge.ffi.LibCLayouts.SIN_FAMILY;
import static dev.framebridge.ffi.LibCLayouts.SIN_PORT;
import static dev.framebridge.ffi.LibCLayouts.SUN_FAMILY;
import static dev.framebridge.ffi.LibCLayouts.SUN_PATH;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.framebridge.ffi.LibC;
import dev.framebridge.ffi.LibCLayouts;
import dev.framebridge.ffi.Vsock;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Endpoints to C socket addresses and back. Setup-time code: it may allocate. */
final class SocketAddresses {
    private SocketAddresses() {
    }

    /** The address family an endpoint's socket is created with. */
    static int family(Endpoint endpoint, InetAddress resolved) {
        return switch (endpoint) {
            case Endpoint.Unix u -> LibC.AF_UNIX;
            case Endpoint.HybridVsock h -> LibC.AF_UNIX;
            case Endpoint.Vsock v -> Vsock.AF_VSOCK;
            case Endpoint.Tcp t -> resolved instanceof Inet6Address ? LibC.AF_INET6 : LibC.AF_INET;
        };
    }

    /**
     * Resolves a TCP host: literals directly, {@code localhost} to 127.0.0.1 (what vsockenc users mean,
     * whatever /etc/hosts says), other names through the system resolver.
     */
    static InetAddress resolve(Endpoint.Tcp tcp) throws IOException {
        try {
            if (tcp.host().equals("localhost")) {
                return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
            }
            return InetAddress.getByName(tcp.host());
        } catch (UnknownHostException e) {
            throw new IOException(tcp + ": cannot resolve host \"" + tcp.host() + "\" — use an IP address", e);
        }
    }

    /** Writes a Unix socket address for {@code path} into {@code buf}; returns the address length. */
    static int unix(MemorySegment buf, String path) {
        buf.fill((byte) 0);
        buf.set(JAVA_SHORT, SUN_FAMILY, (short) LibC.AF_UNIX);
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, SUN_PATH, bytes.length);
        return (int) (SUN_PATH + bytes.length + 1);
    }

    static int inet(MemorySegment buf, InetAddress address, int port) {
        buf.fill((byte) 0);
        if (address instanceof Inet4Address) {
            buf.set(JAVA_SHORT, SIN_FAMILY, (short) LibC.AF_INET);
            buf.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), SIN_PORT, (short) port);
            MemorySegment.copy(address.getAddress(), 0, buf, JAVA_BYTE, SIN_ADDR, 4);
            return (int) LibCLayouts.sockaddr_in.byteSize();
        }
        Inet6Address v6 = (Inet6Address) address;
        buf.set(JAVA_SHORT, SIN6_FAMILY, (short) LibC.AF_INET6);
        buf.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), SIN6_PORT, (short) port);
        MemorySegment.copy(v6.getAddress(), 0, buf, JAVA_BYTE, SIN6_ADDR, 16);
        buf.set(JAVA_INT, LibCLayouts.SIN6_SCOPE_ID, v6.getScopeId());
        return (int) LibCLayouts.sockaddr_in6.byteSize();
    }

    static int vsock(MemorySegment buf, int cid, int port) {
        buf.fill((byte) 0);
        buf.set(JAVA_SHORT, Vsock.SVM_FAMILY, (short) Vsock.AF_VSOCK);
        buf.set(JAVA_INT, Vsock.SVM_PORT, port);
        buf.set(JAVA_INT, Vsock.SVM_CID, cid);
        return (int) Vsock.sockaddr_vm.byteSize();
    }

    /** Peer or local address as text: {@code unix}, {@code tcp:127.0.0.1:41234}, {@code tcp:[::1]:80}, {@code vsock:3:1234}. */
    static String describe(MemorySegment addr, int len) {
        if (len < 2) {
            return "unix"; // an unnamed Unix peer has only (or not even) the family
        }
        int family = Short.toUnsignedInt(addr.get(JAVA_SHORT, 0));
        try {
            return switch (family) {
                case LibC.AF_UNIX -> len > SUN_PATH && addr.get(JAVA_BYTE, SUN_PATH) != 0
                        ? "unix:" + addr.getString(SUN_PATH) : "unix";
                case LibC.AF_INET -> {
                    byte[] ip = new byte[4];
                    MemorySegment.copy(addr, JAVA_BYTE, SIN_ADDR, ip, 0, 4);
                    yield "tcp:" + InetAddress.getByAddress(ip).getHostAddress() + ":" + port(addr, SIN_PORT);
                }
                case LibC.AF_INET6 -> {
                    byte[] ip = new byte[16];
                    MemorySegment.copy(addr, JAVA_BYTE, SIN6_ADDR, ip, 0, 16);
                    yield "tcp:[" + ipv6Text(ip) + "]:" + port(addr, SIN6_PORT);
                }
                case Vsock.AF_VSOCK -> "vsock:" + Integer.toUnsignedString(addr.get(JAVA_INT, Vsock.SVM_CID)) + ":"
                        + Integer.toUnsignedString(addr.get(JAVA_INT, Vsock.SVM_PORT));
                default -> "family " + family;
            };
        } catch (UnknownHostException e) {
            throw new IllegalStateException("impossible: raw address rejected", e);
        }
    }

    /** RFC 5952 text ({@code ::1}, {@code fe80::1}): Java's own form writes every zero group. */
    static String ipv6Text(byte[] ip) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((ip[2 * i] & 0xff) << 8) | (ip[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    static int port(MemorySegment addr, long offset) {
        return Short.toUnsignedInt(addr.get(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), offset));
    }
}
