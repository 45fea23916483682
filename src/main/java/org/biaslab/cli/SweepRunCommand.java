package org.biaslab.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepSpec;
import org.biaslab.sweep.SweepStatus;
import org.biaslab.sweep.SweepWorker;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Precision;
import org.biaslab.tensor.cuda.Cuda;
import org.biaslab.train.RunQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs a sweep on this host: one worker, or worker processes on each GPU or on the CPU. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Plan a sweep in SWEEP_DIR (default runs/<sweep name>) and train it on this host.",
                "Done runs are skipped, interrupted ones resume; a second 'sweep run' or 'sweep worker' on the",
                "same directory shares the work. Several workers run as processes, logs in SWEEP_DIR/logs/."})
public final class SweepRunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP.yaml") Path file;

    @Option(names = "--dir", paramLabel = "SWEEP_DIR", description = "the sweep's directory (default runs/<sweep name>)")
    Path dir;

    @Option(names = "--devices", defaultValue = "all", description = "all (every GPU, or the CPU without one), cpu, or GPU indices such as 0,1 (default ${DEFAULT-VALUE})")
    String devices;

    @Option(names = "--workers", defaultValue = "1", paramLabel = "K", description = "workers per device (default ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--ensemble", defaultValue = "64", description = "most runs trained together, fixed when the sweep is planned (default ${DEFAULT-VALUE})")
    int ensemble;

    @Option(names = "--lease", defaultValue = "120", paramLabel = "SECONDS", description = "a claim expires this long after its worker's last heartbeat (default ${DEFAULT-VALUE})")
    double lease;

    @Option(names = "--tf32", description = "on the GPU, the training steps' GEMMs on TF32 tensor cores")
    boolean tf32;

    @Override
    public Integer call() throws Exception {
        if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
        SweepSpec spec = SweepSpec.read(file);
        List<Integer> gpus = gpus(devices);
        SweepPlan plan = SweepPlan.create(dir == null ? Path.of("runs", spec.name()) : dir, spec, ensemble);
        SweepStatus s = SweepStatus.of(plan);
        System.out.printf("sweep '%s': %d runs in %d groups in %s on %s: %s%n", spec.name(), plan.runs().size(), plan.groups().size(),
                plan.dir(), gpus.isEmpty() ? workers + " CPU worker" + (workers > 1 ? "s" : "") : "GPU " + gpus + " × " + workers, s.line());
        if (gpus.size() <= 1 && workers == 1) { // one worker: in this process, with its progress bars
            if (!gpus.isEmpty()) System.setProperty("biaslab.cuda.device", Integer.toString(gpus.getFirst()));
            RunQueue.useDevice(gpus.isEmpty() ? Device.CPU : Device.CUDA);
            Precision.setTrainingTf32(tf32);
            new SweepWorker(plan, SweepWorkerCommand.leaseOf(lease), new SweepWorkerCommand.ConsoleLog()).runAll();
        } else {
            List<Process> children = start(plan, gpus);
            SweepStatusCommand.follow(plan, SweepStatus.of(plan), () -> children.stream().anyMatch(Process::isAlive));
            List<String> failed = new ArrayList<>();
            for (int k = 0; k < children.size(); k++) {
                int code = children.get(k).waitFor();
                if (code != 0 && code != 3) failed.add("worker " + k + " exited with " + code); // 3: runs diverged, counted below
            }
            if (!failed.isEmpty()) {
                System.err.println(String.join(", ", failed) + "; see " + plan.dir().resolve("logs"));
                return 1;
            }
        }
        s = SweepStatus.of(plan);
        System.out.println(plan.dir() + ": " + s.line());
        return s.failed() > 0 ? 3 : 0; // as train's exit code for a diverged run
    }

    /** {@code workers} worker processes per device, each logging to SWEEP_DIR/logs/worker-<device>-<k>.log. */
    private List<Process> start(SweepPlan plan, List<Integer> gpus) throws Exception {
        Path logs = Files.createDirectories(plan.dir().resolve("logs"));
        List<Process> out = new ArrayList<>();
        for (Integer gpu : gpus.isEmpty() ? java.util.Collections.<Integer>singletonList(null) : gpus) {
            for (int k = 0; k < workers; k++) {
                List<String> more = new ArrayList<>(List.of("--lease", Double.toString(lease)));
                if (tf32) more.add("--tf32");
                File log = logs.resolve("worker-" + (gpu == null ? "cpu" : "gpu" + gpu) + "-" + k + ".log").toFile();
                out.add(new ProcessBuilder(WorkerProcess.command(plan.dir(), gpu, more)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start());
            }
        }
        return out;
    }

    /** The GPUs of {@code --devices}: every visible one for "all" (none without a GPU: the CPU), none for "cpu", or those listed. */
    static List<Integer> gpus(String devices) {
        if (devices.equals("cpu")) return List.of();
        int count = Cuda.deviceCount();
        if (devices.equals("all")) return java.util.stream.IntStream.range(0, count).boxed().toList();
        List<Integer> out = new ArrayList<>();
        for (String d : devices.split(",")) {
            int g;
            try {
                g = Integer.parseInt(d.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--devices: expected all, cpu or GPU indices such as 0,1, got '" + devices + "'");
            }
            if (g < 0 || g >= count) throw new IllegalArgumentException("--devices: GPU " + g + " is not one of the " + count + " this host has");
            if (!out.contains(g)) out.add(g);
        }
        return out;
    }
}
