package org.biaslab.io.tensorboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.io.tensorboard.proto.Event;
import org.biaslab.io.tensorboard.proto.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventWriterTest {
    /** "tag@step=value" for every summary value of {@code file}'s events. */
    private static List<String> values(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (Event e : EventFiles.read(file)) {
            for (Summary.Value v : e.getSummary().getValueList()) {
                out.add(v.getTag() + "@" + e.getStep() + "=" + (v.hasTensor() ? v.getTensor().getStringVal(0).toStringUtf8() : v.getSimpleValue()));
            }
        }
        return out;
    }

    private static Map<String, Double> scalars(Object... tagValue) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < tagValue.length; i += 2) m.put((String) tagValue[i], (Double) tagValue[i + 1]);
        return m;
    }

    @Test
    void aSessionWritesTheFileVersionThenItsValues(@TempDir Path tmp) throws IOException {
        EventWriter w = EventWriter.open(tmp.resolve("tb"));
        assertTrue(w.file().getFileName().toString().matches("events\\.out\\.tfevents\\.\\d{10}\\.[A-Za-z0-9._-]+"), w.file().toString());
        w.text("config", 0, "    {}");
        w.scalars(10, scalars("train/loss", 0.5, "lr", 3e-4));
        w.scalars(20, scalars("train/loss", 0.25));
        List<Event> events = EventFiles.read(w.file());
        assertEquals(EventWriter.FILE_VERSION, events.get(0).getFileVersion());
        assertEquals("biaslab", events.get(0).getSourceMetadata().getWriter());
        assertEquals(List.of("config@0=    {}", "train/loss@10=0.5", "lr@10=" + (float) 3e-4, "train/loss@20=0.25"), values(w.file()));
    }

    @Test
    void aResumedSessionWritesOnlyStepsItsTagsDoNotHaveYet(@TempDir Path tmp) throws IOException {
        Path tb = tmp.resolve("tb");
        EventWriter first = EventWriter.open(tb);
        first.text("config", 0, "c");
        first.scalars(10, scalars("train/loss", 0.5));
        first.scalars(20, scalars("train/loss", 0.25, "eval/loss", 0.3));
        first.scalars(30, scalars("train/loss", 0.125)); // after the last checkpoint: the resumed session recomputes it
        EventWriter second = EventWriter.open(tb);
        assertNotEquals(first.file(), second.file());
        second.text("config", 0, "c");
        second.scalars(30, scalars("train/loss", 0.125, "eval/loss", 0.2)); // eval/loss@30 was never written
        second.scalars(30, scalars("param_norm", 7.0));
        second.scalars(30, scalars("param_norm", 7.0)); // the same step twice in one session
        second.scalars(40, scalars("train/loss", 0.0625));
        assertEquals(List.of("eval/loss@30=0.2", "param_norm@30=7.0", "train/loss@40=0.0625"), values(second.file()));
        assertEquals(List.of(first.file(), second.file()), EventFiles.in(tb));
        assertEquals(Map.of("config", 0L, "train/loss", 40L, "eval/loss", 30L, "param_norm", 30L), EventFiles.lastSteps(tb));
    }
}
