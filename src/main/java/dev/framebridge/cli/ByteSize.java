package dev.framebridge.cli;

import java.util.Locale;
import picocli.CommandLine;

/** A size in bytes as options take it: a plain number, or one with a binary suffix K, M or G (256M = 256 MiB). */
final class ByteSize implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        if (v.endsWith("IB")) {
            v = v.substring(0, v.length() - 2); // 256MiB
        } else if (v.endsWith("B") && v.length() > 1 && !Character.isDigit(v.charAt(v.length() - 2))) {
            v = v.substring(0, v.length() - 1); // 256MB, read as MiB
        }
        int shift = 0;
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                default -> { }
            }
        }
        String digits = shift == 0 ? v : v.substring(0, v.length() - 1).trim();
        try {
            long n = Long.parseLong(digits);
            if (n >= 0 && n <= (Long.MAX_VALUE >> shift)) {
                return n << shift;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message below
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not a size: write bytes, or a number with"
                + " K, M or G (binary), e.g. 512M");
    }
}
