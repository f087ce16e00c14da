package dev.framebridge.nativebuild;

import java.lang.foreign.MemoryLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A hand-written binding's facts, read by reflection in the probes' vocabulary, so a member added to a binding is
 * checked without anyone listing it: for each nested struct class, {@code sizeof()} → {@code Struct.sizeof}, each
 * {@code a$b$OFFSET} with its {@code a$b$LAYOUT} → {@code Struct.a.b} and {@code Struct.a.b.sizeof}, each
 * {@code T$SIZEOF} → {@code T.sizeof}; and the binding's own static int/long constants that {@code constant} accepts.
 */
public final class BindingFacts {
    private BindingFacts() {
    }

    public static Map<String, Long> of(Class<?> binding, Predicate<String> constant) throws ReflectiveOperationException {
        Map<String, Long> facts = new TreeMap<>();
        for (Class<?> struct : binding.getDeclaredClasses()) {
            if (!Modifier.isPublic(struct.getModifiers())) {
                continue;
            }
            String name = struct.getSimpleName();
            try {
                Method sizeof = struct.getMethod("sizeof");
                facts.put(name + ".sizeof", (Long) sizeof.invoke(null));
            } catch (NoSuchMethodException noSize) {
                // a struct whose size the binding never needs
            }
            for (Field f : struct.getFields()) {
                String n = f.getName();
                if (n.endsWith("$OFFSET")) {
                    String member = n.substring(0, n.length() - "$OFFSET".length());
                    MemoryLayout layout = (MemoryLayout) struct.getField(member + "$LAYOUT").get(null);
                    String key = name + "." + member.replace('$', '.');
                    facts.put(key, f.getLong(null));
                    facts.put(key + ".sizeof", layout.byteSize());
                } else if (n.endsWith("$SIZEOF")) {
                    facts.put(n.substring(0, n.length() - "$SIZEOF".length()) + ".sizeof", f.getLong(null));
                }
            }
        }
        for (Field f : binding.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !constant.test(f.getName())) {
                continue;
            }
            if (f.getType() == int.class) {
                facts.put(f.getName(), (long) f.getInt(null));
            } else if (f.getType() == long.class) {
                facts.put(f.getName(), f.getLong(null));
            }
        }
        return facts;
    }
}
