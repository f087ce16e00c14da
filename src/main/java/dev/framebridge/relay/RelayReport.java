package dev.framebridge.relay;

/**
 * What one relayed connection carried, per direction ({@code up} = client → target, {@code down} = target →
 * client), who hung up first and, when it did not end cleanly, why.
 */
public record RelayReport(int id, String client, String target, long upBytes, long upMessages, String upBreakdown,
                          long upNonHxfrBytes, long downBytes, long downMessages, String downBreakdown,
                          long downNonHxfrBytes, String firstHangup, String failure) {

    @Override
    public String toString() {
        return "#" + id + " " + client + " ⇄ " + target + ": client→target " + upBytes + " bytes, " + upMessages
                + " HXFR messages (" + upBreakdown + ")" + nonHxfr(upNonHxfrBytes) + "; target→client " + downBytes
                + " bytes, " + downMessages + " HXFR messages (" + downBreakdown + ")" + nonHxfr(downNonHxfrBytes)
                + "; " + (firstHangup == null ? "nobody hung up (relay stopped)" : "the " + firstHangup + " hung up first")
                + (failure == null ? "" : "; ended by: " + failure);
    }

    private static String nonHxfr(long n) {
        return n == 0 ? "" : ", " + n + " non-HXFR bytes";
    }
}
