package dev.framebridge.relay;

import java.util.Locale;

/**
 * What one relayed connection carried, per direction ({@code up} = client → target, {@code down} = target →
 * client), who hung up first and, when it did not end cleanly, why; and how often the target went silent with
 * requests unanswered ({@code targetSilences}, the longest in {@code longestSilenceMillis}, {@code silentAtClose}
 * when the last one was still going).
 */
public record RelayReport(int id, String client, String target, long upBytes, long upMessages, String upBreakdown,
                          long upNonHxfrBytes, long downBytes, long downMessages, String downBreakdown,
                          long downNonHxfrBytes, String firstHangup, String failure, int targetSilences,
                          long longestSilenceMillis, boolean silentAtClose) {

    @Override
    public String toString() {
        return "#" + id + " " + client + " ⇄ " + target + ": client→target " + upBytes + " bytes, " + upMessages
                + " HXFR messages (" + upBreakdown + ")" + nonHxfr(upNonHxfrBytes) + "; target→client " + downBytes
                + " bytes, " + downMessages + " HXFR messages (" + downBreakdown + ")" + nonHxfr(downNonHxfrBytes)
                + "; " + (firstHangup == null ? "nobody hung up (relay stopped)" : "the " + firstHangup + " hung up first")
                + (failure == null ? "" : "; ended by: " + failure) + silences();
    }

    private String silences() {
        if (targetSilences == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "; the target went silent with requests unanswered %d time%s (longest %.1f s%s)",
                targetSilences, targetSilences == 1 ? "" : "s", longestSilenceMillis / 1e3,
                silentAtClose ? ", still silent at close" : "");
    }

    private static String nonHxfr(long n) {
        return n == 0 ? "" : ", " + n + " non-HXFR bytes";
    }
}
