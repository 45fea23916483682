package org.biaslab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepResults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** A sweep's results in one table. */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = "Write SWEEP_DIR/results.csv (one row per done run: key, config, final metrics, measurements) and results.jsonl.")
public final class SweepCollectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP_DIR") Path dir;

    @Override
    public Integer call() throws Exception {
        SweepResults.Written w = SweepResults.write(SweepPlan.load(dir));
        System.out.println(w.csv() + ": " + w.rows() + " of " + w.runs() + " runs" + (w.rows() < w.runs() ? " (the others are not done)" : "")
                + "; also " + w.jsonl());
        return 0;
    }
}
