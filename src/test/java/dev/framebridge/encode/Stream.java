package dev.framebridge.encode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** The access units an encoder produced, kept as copies (their memory is only valid until the next call). */
final class Stream {
    final List<byte[]> accessUnits = new ArrayList<>();
    final List<Boolean> keyframes = new ArrayList<>();
    final List<Long> pts = new ArrayList<>();
    final List<Long> dts = new ArrayList<>();

    void add(EncodedFrame frame) {
        accessUnits.add(frame.accessUnit().toArray(JAVA_BYTE));
        keyframes.add(frame.keyframe());
        pts.add(frame.pts());
        dts.add(frame.dts());
    }

    int size() {
        return accessUnits.size();
    }

    long bytes(int from, int to) {
        long sum = 0;
        for (int i = from; i < to; i++) {
            sum += accessUnits.get(i).length;
        }
        return sum;
    }

    List<Integer> keyframeIndexes() {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < keyframes.size(); i++) {
            if (keyframes.get(i)) {
                idx.add(i);
            }
        }
        return idx;
    }

    Path write(Path file) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] au : accessUnits) {
            all.writeBytes(au);
        }
        return Files.write(file, all.toByteArray());
    }
}
