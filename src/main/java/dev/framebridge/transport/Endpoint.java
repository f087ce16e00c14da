package dev.framebridge.transport;

import dev.framebridge.ffi.LibCLayouts;
import dev.framebridge.ffi.Vsock;
import java.nio.charset.StandardCharsets;

/**
 * Where to listen or connect, in the text forms users type:
 * <pre>
 *   vsock:CID:PORT          CID any (listen), host (2), local (1) or a number; PORT a number or any
 *   tcp:HOST:PORT           HOST an IPv4 address, localhost, [IPv6] or a name
 *   unix:PATH               a Unix stream socket
 *   hvsock:UDS_PATH:PORT    Firecracker / Cloud Hypervisor hybrid vsock: the VMM's Unix socket and a port
 * </pre>
 * {@link #toString()} gives the text form back, and {@code parse(e.toString()).equals(e)}.
 */
public sealed interface Endpoint permits Endpoint.Vsock, Endpoint.Tcp, Endpoint.Unix, Endpoint.HybridVsock {

    String ACCEPTED_FORMS = "vsock:CID:PORT (CID any, host, local or a number), tcp:HOST:PORT, unix:PATH, "
            + "hvsock:UDS_PATH:PORT";

    /** Parses one of the text forms; the exception names the bad part and lists the accepted forms. */
    static Endpoint parse(String text) {
        return EndpointParser.parse(text);
    }

    /** An AF_VSOCK address; CID and port are unsigned 32-bit values held in ints. */
    record Vsock(int cid, int port) implements Endpoint {
        @Override
        public String toString() {
            return "vsock:" + cidText(cid) + ":" + (port == dev.framebridge.ffi.Vsock.VMADDR_PORT_ANY
                    ? "any" : Integer.toUnsignedString(port));
        }

        static String cidText(int cid) {
            return switch (cid) {
                case dev.framebridge.ffi.Vsock.VMADDR_CID_ANY -> "any";
                case dev.framebridge.ffi.Vsock.VMADDR_CID_LOCAL -> "local";
                case dev.framebridge.ffi.Vsock.VMADDR_CID_HOST -> "host";
                default -> Integer.toUnsignedString(cid);
            };
        }
    }

    /** A TCP address; {@code host} without brackets (an IPv6 literal contains ':'). Port 0 = any (listen). */
    record Tcp(String host, int port) implements Endpoint {
        public Tcp {
            if (host == null || host.isEmpty()) {
                throw new IllegalArgumentException("tcp endpoint needs a host");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("tcp port " + port + " is outside 0-65535");
            }
        }

        @Override
        public String toString() {
            return "tcp:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** A Unix stream socket path (at most 107 bytes, the size of sockaddr_un.sun_path less the NUL). */
    record Unix(String path) implements Endpoint {
        public Unix {
            EndpointParser.checkUnixPath(path, "unix:" + path);
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /**
     * Hybrid vsock (Firecracker, Cloud Hypervisor): the VMM exposes the guest's vsock as a Unix socket.
     * To reach guest port P, connect to {@code udsPath} and say {@code CONNECT P\n}; to accept connections
     * the guest makes to host port P, listen on {@code udsPath_P}.
     */
    record HybridVsock(String udsPath, int port) implements Endpoint {
        public HybridVsock {
            EndpointParser.checkUnixPath(udsPath, "hvsock:" + udsPath + ":" + Integer.toUnsignedString(port));
        }

        /** The Unix socket the VMM connects to when the guest connects to host port {@code port}. */
        public String listenPath() {
            return udsPath + "_" + Integer.toUnsignedString(port);
        }

        @Override
        public String toString() {
            return "hvsock:" + udsPath + ":" + Integer.toUnsignedString(port);
        }
    }

    /** Thrown for text that is not an endpoint. */
    final class FormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        FormatException(String text, String problem) {
            super("bad endpoint \"" + text + "\": " + problem + "; accepted forms: " + ACCEPTED_FORMS);
        }
    }
}

/** The parsing rules, apart from the records so each record stays a plain value. */
final class EndpointParser {
    private EndpointParser() {
    }

    static Endpoint parse(String text) {
        if (text == null || text.isBlank()) {
            throw new Endpoint.FormatException(String.valueOf(text), "it is empty");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new Endpoint.FormatException(text, "no scheme (expected vsock:, tcp:, unix: or hvsock:)");
        }
        String scheme = text.substring(0, colon);
        String rest = text.substring(colon + 1);
        return switch (scheme) {
            case "vsock" -> vsock(text, rest);
            case "tcp" -> tcp(text, rest);
            case "unix" -> {
                checkUnixPath(rest, text);
                yield new Endpoint.Unix(rest);
            }
            case "hvsock" -> hvsock(text, rest);
            default -> throw new Endpoint.FormatException(text, "unknown scheme \"" + scheme + "\"");
        };
    }

    private static Endpoint vsock(String text, String rest) {
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw new Endpoint.FormatException(text, "vsock needs CID:PORT");
        }
        String cidText = rest.substring(0, colon);
        String portText = rest.substring(colon + 1);
        int cid = switch (cidText) {
            case "any" -> Vsock.VMADDR_CID_ANY;
            case "local" -> Vsock.VMADDR_CID_LOCAL;
            case "host" -> Vsock.VMADDR_CID_HOST;
            default -> (int) unsigned(text, cidText, "CID", 0xFFFF_FFFFL, "any, host, local or a number 0-4294967295");
        };
        int port = portText.equals("any") ? Vsock.VMADDR_PORT_ANY
                : (int) unsigned(text, portText, "port", 0xFFFF_FFFEL, "a number 0-4294967294 or any");
        return new Endpoint.Vsock(cid, port);
    }

    private static Endpoint tcp(String text, String rest) {
        String host;
        String portText;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new Endpoint.FormatException(text, "an IPv6 host is written [ADDRESS]:PORT, e.g. tcp:[::1]:15937");
            }
            host = rest.substring(1, close);
            portText = rest.substring(close + 2);
            if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+")) {
                throw new Endpoint.FormatException(text, "host \"[" + host + "]\" is not an IPv6 address");
            }
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw new Endpoint.FormatException(text, "tcp needs HOST:PORT");
            }
            host = rest.substring(0, colon);
            portText = rest.substring(colon + 1);
            if (host.isEmpty()) {
                throw new Endpoint.FormatException(text, "the host is empty (use 127.0.0.1 for loopback)");
            }
            if (host.indexOf(':') >= 0) {
                throw new Endpoint.FormatException(text, "host \"" + host + "\" looks like IPv6; put it in brackets: tcp:["
                        + host + "]:PORT");
            }
            if (host.matches("[0-9.]+") && !isIpv4(host)) {
                throw new Endpoint.FormatException(text, "host \"" + host + "\" is not an IPv4 address (four numbers 0-255)");
            }
            if (!host.matches("[A-Za-z0-9.-]+")) {
                throw new Endpoint.FormatException(text, "host \"" + host + "\" is not an address or host name");
            }
        }
        int port = (int) unsigned(text, portText, "port", 65535, "a number 0-65535");
        return new Endpoint.Tcp(host, port);
    }

    private static Endpoint hvsock(String text, String rest) {
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw new Endpoint.FormatException(text, "hvsock needs UDS_PATH:PORT");
        }
        String path = rest.substring(0, colon);
        checkUnixPath(path, text);
        int port = (int) unsigned(text, rest.substring(colon + 1), "port", 0xFFFF_FFFEL, "a number 0-4294967294");
        return new Endpoint.HybridVsock(path, port);
    }

    private static boolean isIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static long unsigned(String text, String value, String what, long max, String expected) {
        if (value.isEmpty()) {
            throw new Endpoint.FormatException(text, "the " + what + " is missing (expected " + expected + ")");
        }
        if (!value.matches("[0-9]{1,10}") || Long.parseLong(value) > max) {
            throw new Endpoint.FormatException(text, what + " \"" + value + "\" is not " + expected);
        }
        return Long.parseLong(value);
    }

    static void checkUnixPath(String path, String text) {
        if (path == null || path.isEmpty()) {
            throw new Endpoint.FormatException(text, "the socket path is empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw new Endpoint.FormatException(text, "the socket path contains a NUL byte");
        }
        int bytes = path.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > LibCLayouts.SUN_PATH_MAX) {
            throw new Endpoint.FormatException(text, "the socket path is " + bytes + " bytes but at most "
                    + LibCLayouts.SUN_PATH_MAX + " fit in sockaddr_un (choose a shorter path, e.g. under /run)");
        }
    }
}
