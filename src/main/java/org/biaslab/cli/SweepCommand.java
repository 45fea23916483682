package org.biaslab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Sweeps as first-class objects: a W&B sweep file trained locally, across a host's GPUs, or as a Slurm job array. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run a sweep (W&B sweep format, YAML or JSON) that never redoes or loses a finished run.",
                "Each run lives in SWEEP_DIR/runs/<key>/; details: docs/sweeps.md. On Apache Spark:",
                "./biaslab sweep spark SWEEP.yaml, from the spark/ project (built apart: Spark stays out of this jar)."},
        subcommands = {SweepRunCommand.class, SweepWorkerCommand.class, SweepStatusCommand.class, SweepCollectCommand.class,
                SweepSlurmCommand.class})
public final class SweepCommand implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
