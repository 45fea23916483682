package org.biaslab.io.tensorboard;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.io.tensorboard.proto.DataType;
import org.biaslab.io.tensorboard.proto.Event;
import org.biaslab.io.tensorboard.proto.SourceMetadata;
import org.biaslab.io.tensorboard.proto.Summary;
import org.biaslab.io.tensorboard.proto.SummaryMetadata;
import org.biaslab.io.tensorboard.proto.TensorProto;
import org.biaslab.io.tensorboard.proto.TensorShapeProto;

/**
 * One session's TensorBoard event file, {@code DIR/events.out.tfevents.<seconds>.<host>}: scalars as
 * {@code simple_value}s and markdown text for TensorBoard's text plugin, one TFRecord per call, appended and closed
 * at once (a crash loses at most the record being written). Each tag's steps only increase across the sessions of a
 * directory: a value at a step that its tag already has, here or in an earlier session's file, is dropped, since a
 * resumed run recomputes the steps after its checkpoint identically.
 */
public final class EventWriter {
    static final String FILE_VERSION = "brain.Event:2";
    private final Path file;
    private final Map<String, Long> lastSteps;

    private EventWriter(Path file, Map<String, Long> lastSteps) {
        this.file = file;
        this.lastSteps = lastSteps;
    }

    /** Starts a new event file in {@code dir} (created if needed), after reading the tags' last steps in the others. */
    public static EventWriter open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Long> last = EventFiles.lastSteps(dir);
        double now = System.currentTimeMillis() / 1000.0;
        String name = EventFiles.PREFIX + (long) now + "." + host();
        for (int n = 0; ; n++) {
            Path file = dir.resolve(n == 0 ? name : name + "." + n);
            try {
                Files.write(file, TfRecord.frame(fileVersion(now).toByteArray()), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new EventWriter(file, last);
            } catch (FileAlreadyExistsException taken) {
                // another session of this directory started in the same second: the next suffix
            }
        }
    }

    public Path file() {
        return file;
    }

    /** Writes the {@code values} whose tag has no value at {@code step} or later yet, as one event at {@code step}. */
    public void scalars(long step, Map<String, Double> values) throws IOException {
        Map<String, Double> fresh = new LinkedHashMap<>();
        values.forEach((tag, v) -> {
            if (lastSteps.getOrDefault(tag, Long.MIN_VALUE) < step) fresh.put(tag, v);
        });
        if (fresh.isEmpty()) return;
        append(scalarEvent(now(), step, fresh));
        fresh.keySet().forEach(tag -> lastSteps.put(tag, step));
    }

    /** Writes {@code markdown} under {@code tag} at {@code step} for the text plugin, unless the tag has that step already. */
    public void text(String tag, long step, String markdown) throws IOException {
        if (lastSteps.getOrDefault(tag, Long.MIN_VALUE) >= step) return;
        append(textEvent(now(), step, tag, markdown));
        lastSteps.put(tag, step);
    }

    /** The event holding {@code values} as simple values, in their order. */
    static Event scalarEvent(double wallTime, long step, Map<String, Double> values) {
        Summary.Builder s = Summary.newBuilder();
        values.forEach((tag, v) -> s.addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(v.floatValue())));
        return Event.newBuilder().setWallTime(wallTime).setStep(step).setSummary(s).build();
    }

    /** The event holding {@code markdown} as a scalar string tensor with the text plugin's metadata. */
    static Event textEvent(double wallTime, long step, String tag, String markdown) {
        TensorProto tensor = TensorProto.newBuilder().setDtype(DataType.DT_STRING).setTensorShape(TensorShapeProto.getDefaultInstance())
                .addStringVal(ByteString.copyFrom(markdown, StandardCharsets.UTF_8)).build();
        SummaryMetadata meta = SummaryMetadata.newBuilder().setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName("text")).build();
        Summary.Value v = Summary.Value.newBuilder().setTag(tag).setTensor(tensor).setMetadata(meta).build();
        return Event.newBuilder().setWallTime(wallTime).setStep(step).setSummary(Summary.newBuilder().addValue(v)).build();
    }

    private static Event fileVersion(double wallTime) {
        return Event.newBuilder().setWallTime(wallTime).setFileVersion(FILE_VERSION)
                .setSourceMetadata(SourceMetadata.newBuilder().setWriter("biaslab")).build();
    }

    private void append(Event e) throws IOException {
        Files.write(file, TfRecord.frame(e.toByteArray()), StandardOpenOption.APPEND);
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** This machine's name, reduced to characters safe in a file name. */
    private static String host() {
        String h;
        try {
            h = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            h = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        return h.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
