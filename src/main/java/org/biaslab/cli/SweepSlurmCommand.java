package org.biaslab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A sweep as a Slurm job array: one array task per group, each a worker of that group. */
@Command(name = "slurm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Plan a sweep and write SWEEP_DIR/sweep.sbatch: a job array with one task per group",
                "(--array=0-N%P, --requeue), each calling 'sweep worker SWEEP_DIR --index $SLURM_ARRAY_TASK_ID'.",
                "SWEEP_DIR must be on a filesystem every node sees."})
public final class SweepSlurmCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP.yaml") Path file;

    @Option(names = "--dir", paramLabel = "SWEEP_DIR", description = "the sweep's directory (default runs/<sweep name>)")
    Path dir;

    @Option(names = "--gpus-per-task", defaultValue = "1", description = "GPUs per array task (--gres=gpu:N); 0 trains on the CPU (default ${DEFAULT-VALUE})")
    int gpusPerTask;

    @Option(names = "--max-parallel", defaultValue = "64", description = "most array tasks running at once (default ${DEFAULT-VALUE})")
    int maxParallel;

    @Option(names = "--ensemble", defaultValue = "64", description = "most runs trained together, fixed when the sweep is planned (default ${DEFAULT-VALUE})")
    int ensemble;

    @Option(names = "--sbatch-option", paramLabel = "OPT", description = "a further #SBATCH line, e.g. --partition=gpu or --time=04:00:00 (repeatable)")
    List<String> sbatchOptions = List.of();

    @Option(names = "--submit", description = "submit the script with sbatch")
    boolean submit;

    @Override
    public Integer call() throws Exception {
        if (gpusPerTask < 0) throw new IllegalArgumentException("--gpus-per-task must be >= 0, got " + gpusPerTask);
        if (maxParallel < 1) throw new IllegalArgumentException("--max-parallel must be at least 1, got " + maxParallel);
        SweepSpec spec = SweepSpec.read(file);
        SweepPlan plan = SweepPlan.create((dir == null ? Path.of("runs", spec.name()) : dir).toAbsolutePath(), spec, ensemble);
        Files.createDirectories(plan.dir().resolve("logs"));
        Path script = plan.dir().resolve("sweep.sbatch");
        Files.writeString(script, script(plan));
        System.out.printf("%s: %d array tasks (one per group of %d runs), at most %d at once%n", script, plan.groups().size(),
                plan.runs().size(), maxParallel);
        if (!submit) return 0;
        Process p;
        try {
            p = new ProcessBuilder("sbatch", script.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("sbatch cannot be started (" + e.getMessage() + "); submit " + script + " on a Slurm login node");
        }
        String out = new String(p.getInputStream().readAllBytes()).strip();
        int code = p.waitFor();
        if (code != 0) throw new IllegalStateException("sbatch failed (exit " + code + "): " + out.lines().collect(Collectors.joining(" ")));
        System.out.println(out);
        return 0;
    }

    /** The job array script. */
    String script(SweepPlan plan) {
        Integer gpu = gpusPerTask > 0 ? 0 : null; // Slurm makes the task's GPUs visible as 0..N-1
        String worker = WorkerProcess.command(plan.dir(), gpu, List.of("--index", "$SLURM_ARRAY_TASK_ID")).stream()
                .map(a -> a.equals("$SLURM_ARRAY_TASK_ID") ? "\"$SLURM_ARRAY_TASK_ID\"" : quote(a)).collect(Collectors.joining(" "));
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("#SBATCH --job-name=").append(plan.spec().name()).append('\n');
        s.append("#SBATCH --array=0-").append(plan.groups().size() - 1).append('%').append(maxParallel).append('\n');
        if (gpusPerTask > 0) s.append("#SBATCH --gres=gpu:").append(gpusPerTask).append('\n');
        s.append("#SBATCH --requeue\n");
        s.append("#SBATCH --output=").append(plan.dir().resolve("logs")).append("/slurm-%A_%a.out\n");
        for (String o : sbatchOptions) s.append("#SBATCH ").append(o).append('\n');
        s.append("# one task per group of sweep.json; a requeued or repeated task skips done runs and resumes the others\n");
        s.append("set -euo pipefail\n");
        s.append("exec ").append(worker).append('\n');
        return s.toString();
    }

    /** {@code a} quoted for bash. */
    private static String quote(String a) {
        return a.matches("[A-Za-z0-9_./=:,+@%-]+") ? a : "'" + a.replace("'", "'\\''") + "'";
    }
}
