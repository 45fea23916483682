package org.biaslab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code biaslab bench}: timed runs of biaslab's hot paths, one subcommand per area (results: docs/benchmarks.md). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks; figures are recorded in docs/benchmarks.md.",
        subcommands = {BoolfnBenchCommand.class, P1StepBenchCommand.class, GemmBenchCommand.class, VitEpochBenchCommand.class, LmStepBenchCommand.class,
                HvpBenchCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
