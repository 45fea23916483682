package org.biaslab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.experiment.p3.P3;
import org.biaslab.tensor.Device;

/** {@code reproduce p3}: Merrill et al. 2021's parts with a progress bar per task, then the one-line summary. */
final class ReproduceP3 {
    private ReproduceP3() {}

    /**
     * Runs {@code parts} (all when null) of the quick or full recipe on {@code corpus} (the KJV when null) into {@code out},
     * the grid's LM of {@code gridPreset} when not null.
     */
    static int run(boolean quick, Path out, Path corpus, List<String> parts, Device device, String gridPreset) throws IOException {
        Path text = corpus != null ? corpus : P3.defaultCorpus();
        List<String> selected = parts != null ? parts : P3.PARTS;
        P3.checkParts(selected);
        P3.requireCorpus(text);
        P3 p3 = quick ? P3.quick(text) : P3.full(text);
        if (gridPreset != null) p3 = p3.withGrid(Map.of("preset", gridPreset));
        Path dir = out.resolve(quick ? "p3-quick" : "p3");
        System.out.printf("P3: %s on %s in %s%n", String.join(", ", selected), text, dir);
        Bars bars = new Bars();
        P3.Summary s;
        try {
            s = p3.run(dir, selected, device, bars);
        } finally {
            bars.close();
        }
        System.out.println(s.line());
        System.out.println("report: " + s.report());
        return 0;
    }

    /** One bar at a time: a new task closes the previous bar. */
    private static final class Bars implements P3.Observer {
        private ProgressBar bar;
        private String task;

        @Override
        public void progress(String name, long done, long total, String note) {
            if (!name.equals(task)) {
                close();
                task = name;
                bar = Progress.bar(name, total);
            }
            bar.maxHint(total);
            bar.stepTo(done);
            bar.setExtraMessage(note);
            if (done >= total) close();
        }

        @Override
        public void say(String line) {
            close();
            System.out.println(line);
        }

        void close() {
            if (bar != null) bar.close();
            bar = null;
            task = null;
        }
    }
}
