package org.biaslab.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepStatus;
import org.biaslab.sweep.SweepWorker;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Precision;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** One worker of a planned sweep: a Slurm array task's group, or every group no other worker holds. */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the runs of a planned sweep (sweep.json) that no other worker holds.",
                "With --index I, only group I (a Slurm array task); otherwise every group, then waits for",
                "the groups other workers hold until every run is done or failed."})
public final class SweepWorkerCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP_DIR") Path dir;

    @Option(names = "--index", paramLabel = "I", description = "the group to train (e.g. $SLURM_ARRAY_TASK_ID)")
    Integer index;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE}; the GPU: -Dbiaslab.cuda.device or CUDA_VISIBLE_DEVICES)")
    String device;

    @Option(names = "--lease", defaultValue = "120", paramLabel = "SECONDS", description = "a claim expires this long after its worker's last heartbeat (default ${DEFAULT-VALUE})")
    double lease;

    @Option(names = "--tf32", description = "on the GPU, the training steps' GEMMs on TF32 tensor cores")
    boolean tf32;

    @Override
    public Integer call() throws Exception {
        SweepPlan plan = SweepPlan.load(dir);
        RunQueue.useDevice(Device.parse(device));
        Precision.setTrainingTf32(tf32);
        SweepWorker worker = new SweepWorker(plan, leaseOf(lease), new ConsoleLog());
        if (index != null) worker.runGroup(index);
        else worker.runAll();
        SweepStatus s = SweepStatus.of(plan);
        System.out.println(plan.dir() + ": " + s.line());
        return s.failed() > 0 ? 3 : 0; // as train's exit code for a diverged run
    }

    static Duration leaseOf(double seconds) {
        if (!(seconds >= 0.5)) throw new IllegalArgumentException("--lease must be at least 0.5 seconds, got " + seconds);
        return Duration.ofMillis((long) (seconds * 1000));
    }

    /** Lines to stdout, a progress bar per ensemble on stderr. */
    static final class ConsoleLog implements SweepWorker.Log {
        private ProgressBar bar;

        @Override
        public void line(String line) {
            close();
            System.out.println(line);
        }

        @Override
        public Trainer.Listener training(List<Trainer.Run> runs, long from) {
            close();
            System.out.println((from > 0 ? "resuming at step " + from + ": " : "training ") + runs.size() + " runs as one ensemble");
            ProgressBar b = bar = Progress.bar("train", runs.getFirst().config().steps());
            b.stepTo(from);
            return (step, total, loss, rate) -> {
                b.stepTo(step);
                b.setExtraMessage(String.format("loss %.3g, %.1f steps/s", loss, rate));
            };
        }

        private void close() {
            if (bar != null) bar.close();
            bar = null;
        }
    }
}
