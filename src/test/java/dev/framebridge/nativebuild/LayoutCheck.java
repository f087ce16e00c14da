package dev.framebridge.nativebuild;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Compares the C compiler's facts with the Java bindings' facts and lists every disagreement. */
public final class LayoutCheck {
    private LayoutCheck() {
    }

    /**
     * @param fromC     facts printed by a probe compiled against the real headers
     * @param fromJava  facts declared by the Java bindings
     * @param complete  when true, a fact the probe prints but Java does not declare is also a problem
     *                  (the Java layout forgot a field)
     * @return one human-readable line per problem; empty when they agree
     */
    public static List<String> problems(Map<String, Long> fromC, Map<String, Long> fromJava, boolean complete) {
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(fromJava.keySet())) {
            Long c = fromC.get(key);
            long java = fromJava.get(key);
            if (c == null) {
                problems.add(key + ": Java declares " + java + " but the C probe does not print it (add it to the probe)");
            } else if (c != java) {
                problems.add(key + ": C says " + c + ", Java says " + java);
            }
        }
        if (complete) {
            for (String key : new TreeSet<>(fromC.keySet())) {
                if (!fromJava.containsKey(key)) {
                    problems.add(key + ": C says " + fromC.get(key) + " but Java declares nothing");
                }
            }
        }
        return problems;
    }
}
