package dev.framebridge.cli;

import dev.framebridge.transport.Endpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who listens on an endpoint we could not bind, from Linux's /proc (what {@code ss -lxp} and {@code ss -ltp} read):
 * the listening socket's inode from /proc/net/{tcp,tcp6,unix}, then the process holding a descriptor to it. Best
 * effort: another user's processes cannot be read unless we are root, and other systems have no /proc.
 */
final class EndpointHolder {
    private static final String TCP_LISTEN = "0A";
    private static final int UNIX_ACCEPTCON = 0x10000;
    private static final int COMMAND_CHARS = 120;

    private EndpointHolder() {
    }

    /** "held by pid 123 (java -jar … serve)", or how to find out who holds it. */
    static String describe(Endpoint endpoint) {
        Set<Long> inodes = listeningInodes(endpoint);
        if (inodes.isEmpty()) {
            return switch (endpoint) {
                case Endpoint.Tcp t -> "`ss -ltnp 'sport = :" + t.port() + "'` names who holds it";
                case Endpoint.Unix u -> "`ss -lxp src " + u.path() + "` names who holds it";
                default -> "by another process";
            };
        }
        Optional<String> holder = holderOf(inodes);
        return holder.orElse("held by a process this user cannot inspect (another user's?) — as root, `ss -lp` names it");
    }

    static Set<Long> listeningInodes(Endpoint endpoint) {
        try {
            return switch (endpoint) {
                case Endpoint.Tcp t -> {
                    Set<Long> s = tcpListeners(Path.of("/proc/net/tcp"), t.port());
                    s.addAll(tcpListeners(Path.of("/proc/net/tcp6"), t.port()));
                    yield s;
                }
                case Endpoint.Unix u -> unixListeners(Path.of("/proc/net/unix"), u.path());
                case Endpoint.HybridVsock h -> unixListeners(Path.of("/proc/net/unix"), h.listenPath());
                default -> Set.of();
            };
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /** /proc/net/tcp: "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …", ports in hex. */
    static Set<Long> tcpListeners(Path table, int port) throws IOException {
        Set<Long> inodes = new HashSet<>();
        if (!Files.isReadable(table)) {
            return inodes;
        }
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        List<String> lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && f[1].endsWith(":" + hexPort) && f[3].equals(TCP_LISTEN)) {
                inodes.add(Long.parseLong(f[9]));
            }
        }
        return inodes;
    }

    /** /proc/net/unix: "Num RefCount Protocol Flags Type St Inode Path"; a listener has __SO_ACCEPTCON in Flags. */
    static Set<Long> unixListeners(Path table, String path) throws IOException {
        Set<Long> inodes = new HashSet<>();
        if (!Files.isReadable(table)) {
            return inodes;
        }
        List<String> lines = Files.readAllLines(table, StandardCharsets.UTF_8);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+", 8);
            if (f.length == 8 && f[7].equals(path) && (Integer.parseInt(f[3], 16) & UNIX_ACCEPTCON) != 0) {
                inodes.add(Long.parseLong(f[6]));
            }
        }
        return inodes;
    }

    /** The first process with a descriptor "socket:[inode]" for one of {@code inodes}. */
    private static Optional<String> holderOf(Set<Long> inodes) {
        Set<String> links = new HashSet<>();
        for (long inode : inodes) {
            links.add("socket:[" + inode + "]");
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                if (holds(proc, links)) {
                    return Optional.of("held by pid " + proc.getFileName() + " (" + command(proc) + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean holds(Path proc, Set<String> links) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (links.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException | RuntimeException closedMeanwhile) {
                    // the descriptor went away while we looked: not this one
                }
            }
        } catch (IOException | RuntimeException notOurs) {
            // another user's process, or one that exited
        }
        return false;
    }

    private static String command(Path proc) {
        try {
            String cmd = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replaceAll("[\\x00-\\x1f]+", " ").trim();
            return cmd.length() > COMMAND_CHARS ? cmd.substring(0, COMMAND_CHARS) + "…" : cmd.isEmpty() ? "?" : cmd;
        } catch (IOException e) {
            return "?";
        }
    }
}
