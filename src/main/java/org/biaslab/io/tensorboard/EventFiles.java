package org.biaslab.io.tensorboard;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.biaslab.io.FormatException;
import org.biaslab.io.tensorboard.proto.Event;
import org.biaslab.io.tensorboard.proto.Summary;

/** Reads TensorBoard event files: the {@link Event}s of one file, and the event files of a directory. */
public final class EventFiles {
    /** The start of every event file's name; TensorBoard reads the files of a directory whose names hold "tfevents". */
    public static final String PREFIX = "events.out.tfevents.";

    private EventFiles() {}

    /** The events of {@code file}, in order (a record cut off at the end is left out, see {@link TfRecord#read}). */
    public static List<Event> read(Path file) throws IOException {
        List<Event> out = new ArrayList<>();
        for (byte[] record : TfRecord.read(file)) {
            try {
                out.add(Event.parseFrom(record));
            } catch (InvalidProtocolBufferException e) {
                throw new FormatException(file, "record " + out.size() + " is not an Event message (" + e.getMessage() + ")", e);
            }
        }
        return out;
    }

    /** The event files directly in {@code dir}, by name (the start time first), or none where it does not exist. */
    public static List<Path> in(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isRegularFile(p)).sorted().toList();
        }
    }

    /** The last step of each summary tag in the event files of {@code dir}. */
    public static Map<String, Long> lastSteps(Path dir) throws IOException {
        Map<String, Long> last = new HashMap<>();
        for (Path file : in(dir)) {
            for (Event e : read(file)) {
                for (Summary.Value v : e.getSummary().getValueList()) last.merge(v.getTag(), e.getStep(), Math::max);
            }
        }
        return last;
    }
}
