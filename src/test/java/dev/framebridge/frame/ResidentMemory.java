package dev.framebridge.frame;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident memory as the kernel reports it (VmRSS in /proc/PID/status), for memory tests. */
public final class ResidentMemory {
    private ResidentMemory() {
    }

    /** Resident bytes of the process {@code pid}. */
    public static long of(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    public static long ofThisProcess() throws IOException {
        return of(ProcessHandle.current().pid());
    }

    public static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
