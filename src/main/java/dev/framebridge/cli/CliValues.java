package dev.framebridge.cli;

import dev.framebridge.frame.PixelFormat;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import picocli.CommandLine;

/** Value types the tools share (frame sizes, pixel formats), as picocli converters with messages that say the fix. */
final class CliValues {
    private CliValues() {
    }

    /** {@code WIDTHxHEIGHT}, e.g. 1920x1080. */
    record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Size> {
        @Override
        public Size convert(String value) {
            String[] p = value.toLowerCase(Locale.ROOT).split("x");
            try {
                if (p.length == 2) {
                    int w = Integer.parseInt(p[0].trim());
                    int h = Integer.parseInt(p[1].trim());
                    if (w >= 2 && h >= 2 && w <= 8192 && h <= 8192) {
                        return new Size(w, h);
                    }
                }
            } catch (NumberFormatException ignored) {
                // falls through to the message below
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a frame size: write WIDTHxHEIGHT,"
                    + " each 2..8192, e.g. 1280x720");
        }
    }

    /** bgra, rgba, nv12 (the wire formats) and, where raw files are read, i420. */
    static final class FormatConverter implements CommandLine.ITypeConverter<PixelFormat> {
        @Override
        public PixelFormat convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "bgra", "bgrx", "argb8888", "bgra8888" -> PixelFormat.BGRA8888;
                case "rgba", "rgbx", "abgr8888", "rgba8888" -> PixelFormat.RGBA8888;
                case "nv12" -> PixelFormat.NV12;
                case "i420", "yuv420p" -> PixelFormat.I420;
                default -> throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a pixel format: use bgra, rgba, nv12 or i420");
            };
        }
    }

    /**
     * Whole numbers for every int and long option (registered in {@link Main}): picocli's own text says "is not an
     * int", Java's says "For input string"; this one says what to write. Picocli puts the option's name in front.
     */
    static final class WholeNumberConverter implements CommandLine.ITypeConverter<Long> {
        private final long min;
        private final long max;

        WholeNumberConverter(long min, long max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Long convert(String value) {
            String t = value.trim().replace("_", "");
            try {
                long v = Long.parseLong(t);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                if (!t.matches("[-+]?[0-9]+")) {
                    throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number: write digits"
                            + " only, e.g. 60");
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is too large: at most " + max
                    + (min < 0 ? " and at least " + min : ""));
        }
    }

    /** Decimal numbers (demo --seconds). */
    static final class DecimalConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            try {
                double v = Double.parseDouble(value.trim());
                if (Double.isFinite(v)) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the message below
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a number: write e.g. 5 or 2.5");
        }
    }

    /** A frame rate {@code N} or {@code N/D} (29.97 fps is 30000/1001). */
    record FrameRate(int num, int den) {
        @Override
        public String toString() {
            return den == 1 ? Integer.toString(num) : num + "/" + den;
        }
    }

    static final class FrameRateConverter implements CommandLine.ITypeConverter<FrameRate> {
        @Override
        public FrameRate convert(String value) {
            String[] p = value.trim().split("/", -1);
            try {
                if (p.length <= 2) {
                    int num = Integer.parseInt(p[0].trim());
                    int den = p.length == 2 ? Integer.parseInt(p[1].trim()) : 1;
                    if (num > 0 && den > 0 && num / den <= 1000) {
                        return new FrameRate(num, den);
                    }
                }
            } catch (NumberFormatException ignored) {
                // falls through to the message below
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a frame rate: write frames per second"
                    + " as N or N/D, both positive, at most 1000 fps (e.g. 30, or 30000/1001 for 29.97)");
        }
    }

    /** File permissions in octal, as chmod takes them (600, 0660). */
    static final class OctalModeConverter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String t = value.trim();
            if (t.matches("0?[0-7]{3}")) {
                return Integer.parseInt(t, 8);
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not an octal permission: write three"
                    + " digits 0-7 as for chmod, e.g. 600 (only you) or 660 (you and --unix-group)");
        }
    }

    /**
     * A file-system failure as a sentence: Java's own message for a missing file is only its path
     * ({@code NoSuchFileException: /missing/x}), which tells a reader nothing.
     */
    static String describe(IOException e) {
        if (e instanceof FileSystemException fse && fse.getFile() != null) {
            String file = fse.getFile() + (fse.getOtherFile() == null ? "" : " → " + fse.getOtherFile());
            String why = switch (e) {
                case NoSuchFileException ignored -> "no such file or directory";
                case AccessDeniedException ignored -> "permission denied";
                case NotDirectoryException ignored -> "not a directory";
                default -> fse.getReason() == null ? e.getClass().getSimpleName() : fse.getReason();
            };
            return file + ": " + why;
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** A usage error at call time, with the option's name, the value and the fix in {@code message}. */
    static void require(CommandLine cmd, boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(cmd, message);
        }
    }

    static String formatName(PixelFormat f) {
        return switch (f) {
            case BGRA8888 -> "bgra";
            case RGBA8888 -> "rgba";
            case NV12 -> "nv12";
            case I420 -> "i420";
        };
    }

    /** Refuses I420 where it must travel over HXFR (the wire has no fourcc for it). */
    static void requireWireFormat(CommandLine cmd, PixelFormat f) {
        if (f == PixelFormat.I420) {
            throw new CommandLine.ParameterException(cmd, "--format i420 cannot be sent over HXFR (its formats are"
                    + " bgra, rgba and nv12); i420 is for `framebridge encode` only");
        }
    }

    static void requireEvenForYuv(CommandLine cmd, PixelFormat f, Size s) {
        if (!f.isRgb() && ((s.width() | s.height()) & 1) != 0) {
            throw new CommandLine.ParameterException(cmd, "--size " + s + " is odd: " + formatName(f)
                    + " has chroma at half resolution, so width and height must be even");
        }
    }

    /** Text for JSON: escapes quotes, backslashes and control characters. */
    static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
