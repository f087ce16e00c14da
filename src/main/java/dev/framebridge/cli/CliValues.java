package dev.framebridge.cli;

import dev.framebridge.frame.PixelFormat;
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
