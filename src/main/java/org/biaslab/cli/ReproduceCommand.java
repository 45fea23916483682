package org.biaslab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.biaslab.experiment.LengthScaling;
import org.biaslab.train.Diverged;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Reproduces a paper's experiments from one command: trains, measures and writes the report; resumable. */
@Command(name = "reproduce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reproduce a paper's experiments: train, measure, report (resumable). Implemented: p1 E1.",
                "Trains the grid (finished runs are skipped, interrupted ones resume), measures every run and writes",
                "report.html with the paper's figures. p1 E1 is Hahn & Rofin's length scaling (docs/experiments.md)."})
public final class ReproduceCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PAPER", description = "p1")
    String paper;

    @Option(names = "--quick", description = "a scale-down that finishes in minutes on a laptop's CPU")
    boolean quick;

    @Option(names = "--out", description = "directory of the runs and the report (default: runs/p1-e1[-quick])")
    Path out;

    @Option(names = "--ensemble", defaultValue = "64", description = "most runs trained together (default ${DEFAULT-VALUE})")
    int ensemble;

    @Override
    public Integer call() throws Exception {
        if (!paper.equals("p1")) throw new IllegalArgumentException("unknown paper '" + paper + "' (implemented: p1)");
        LengthScaling e1 = quick ? LengthScaling.quick() : LengthScaling.full();
        Path dir = out != null ? out : Path.of("runs", quick ? "p1-e1-quick" : "p1-e1");
        System.out.printf("P1 E1: %d runs (%s × n %s × %d seeds) in %s%n", e1.runs().size(), String.join(", ", e1.functions()),
                e1.lengths(), e1.seeds().size(), dir);
        long t0 = System.nanoTime();
        Path report;
        try {
            report = e1.run(dir, ensemble, new TrainCommand.ProgressObserver(),
                    (i, total, run) -> System.out.printf("measuring %d/%d %s%n", i, total, run.getFileName()));
        } catch (Diverged e) {
            System.err.println(e.getMessage());
            return 3;
        }
        System.out.printf("report: %s (%.1f min)%n", report, (System.nanoTime() - t0) / 60e9);
        return 0;
    }
}
