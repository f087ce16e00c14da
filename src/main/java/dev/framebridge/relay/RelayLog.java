package dev.framebridge.relay;

import dev.framebridge.protocol.Hxfr;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** The relay's lines on stderr: lifecycle always, message headers with {@code --trace}. */
public final class RelayLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private final PrintStream out;

    public RelayLog(PrintStream out) {
        this.out = out;
    }

    public void info(String line) {
        out.println(LocalTime.now().format(TIME) + " relay: " + line);
    }

    void header(int link, String direction, int type, int flags, int session, long payload) {
        out.println(LocalTime.now().format(TIME) + " relay: #" + link + " " + direction + " " + Hxfr.typeName(type)
                + " flags=0x" + Integer.toHexString(flags) + " session=" + session + " payload=" + payload);
    }
}
