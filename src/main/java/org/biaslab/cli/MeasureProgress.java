package org.biaslab.cli;

import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.experiment.p1.MeasurementProgress;

/** P1's end-of-training measurements on the console: a line per run measured, a bar per ensemble's batches. */
final class MeasureProgress implements MeasurementProgress {
    @Override
    public void measuring(int index, int total, Path run) {
        System.out.printf("measuring %d/%d %s%n", index, total, run.getFileName());
    }

    @Override
    public MeasurementProgress.Batches batches(int done, int batches) {
        if (done > 0) System.out.printf("continuing the measurement at batch %d of %d (from the runs' saved sums)%n", done + 1, batches);
        ProgressBar bar = Progress.bar("measure", batches);
        bar.stepTo(done);
        return new MeasurementProgress.Batches() {
            @Override
            public void accept(int done) {
                bar.stepTo(done);
            }

            @Override
            public void close() {
                bar.close();
            }
        };
    }
}
