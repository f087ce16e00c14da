package dev.framebridge.nativebuild;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Java side's facts, in the probe's vocabulary: {@code struct.sizeof}, {@code struct.field} (offset),
 * {@code struct.field.sizeof} and bare constant names. Built from the bindings' own layouts and constants.
 */
public final class LayoutFacts {
    private final Map<String, Long> facts = new LinkedHashMap<>();

    /** Size of the struct and offset and size of each named top-level member (padding is skipped). */
    public LayoutFacts struct(GroupLayout layout) {
        String name = layout.name().orElseThrow(() -> new IllegalArgumentException("layout has no name: " + layout));
        facts.put(name + ".sizeof", layout.byteSize());
        long offset = 0;
        for (MemoryLayout member : layout.memberLayouts()) {
            if (!(member instanceof PaddingLayout)) {
                String field = member.name().orElseThrow(
                        () -> new IllegalArgumentException("unnamed member in " + name + ": " + member));
                facts.put(name + "." + field, offset);
                facts.put(name + "." + field + ".sizeof", member.byteSize());
            }
            if (layout instanceof java.lang.foreign.StructLayout) {
                offset += member.byteSize();
            }
        }
        return this;
    }

    public LayoutFacts size(String struct, long size) {
        facts.put(struct + ".sizeof", size);
        return this;
    }

    public LayoutFacts field(String struct, String field, long offset, long size) {
        facts.put(struct + "." + field, offset);
        facts.put(struct + "." + field + ".sizeof", size);
        return this;
    }

    public LayoutFacts offset(String struct, String field, long offset) {
        facts.put(struct + "." + field, offset);
        return this;
    }

    public LayoutFacts constant(String name, long value) {
        facts.put(name, value);
        return this;
    }

    public Map<String, Long> toMap() {
        return Map.copyOf(facts);
    }
}
