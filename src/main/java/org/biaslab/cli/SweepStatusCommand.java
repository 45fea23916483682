package org.biaslab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** How far a sweep is. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Runs done, failed, running (held by a live worker) and to do; --watch follows a running sweep with a progress bar.")
public final class SweepStatusCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP_DIR") Path dir;

    @Option(names = "--watch", description = "show a progress bar until every run is done or failed")
    boolean watch;

    @Override
    public Integer call() throws Exception {
        SweepPlan plan = SweepPlan.load(dir);
        SweepStatus s = SweepStatus.of(plan);
        if (watch && !s.settled()) s = follow(plan, s, () -> true);
        System.out.println("sweep '" + plan.spec().name() + "' (" + plan.groups().size() + " groups): " + s.line());
        return 0;
    }

    /** A progress bar of settled runs, polled every second until every run is settled or {@code going} says stop; returns the last status. */
    static SweepStatus follow(SweepPlan plan, SweepStatus s, java.util.function.BooleanSupplier going) throws Exception {
        try (ProgressBar bar = Progress.bar("sweep", s.total())) {
            while (true) {
                bar.stepTo(s.done() + s.failed());
                bar.setExtraMessage(s.running() + " running, " + s.failed() + " failed");
                if (s.settled() || !going.getAsBoolean()) return s;
                Thread.sleep(1000);
                s = SweepStatus.of(plan);
            }
        }
    }
}
