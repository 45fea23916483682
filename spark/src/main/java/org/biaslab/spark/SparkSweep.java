package org.biaslab.spark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.biaslab.cli.Main;
import org.biaslab.sweep.SweepPlan;
import org.biaslab.sweep.SweepSpec;
import org.biaslab.sweep.SweepStatus;
import org.biaslab.tensor.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code biaslab sweep spark}: plans a sweep in SWEEP_DIR as {@code sweep run} does and trains it on Apache Spark,
 * one task per ensemble group ({@link GroupTask}). Spark places the tasks, assigns their GPUs and retries failed ones
 * ({@code spark.task.maxFailures}); a retried or repeated task skips done runs and resumes the others. SWEEP_DIR must
 * be on a filesystem every executor sees. Runs under {@code spark-submit --class org.biaslab.spark.SparkSweep} too.
 */
@Command(name = "sweep spark", mixinStandardHelpOptions = true, version = "biaslab 0.1.0", sortOptions = false,
        description = {"Plan a sweep in SWEEP_DIR (default runs/<sweep name>) and train it on Apache Spark, one task per",
                "group. SWEEP_DIR must be on a filesystem every executor sees; details: docs/sweeps.md."})
public final class SparkSweep implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP.yaml") Path file;

    @Option(names = "--dir", paramLabel = "SWEEP_DIR", description = "the sweep's directory (default runs/<sweep name>)")
    Path dir;

    @Option(names = "--master", description = "Spark's master URL (default: spark-submit's, else local[*])")
    String master;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda: where tasks without a Spark-assigned GPU train (local mode; default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--ensemble", defaultValue = "64", description = "most runs trained together, fixed when the sweep is planned (default ${DEFAULT-VALUE})")
    int ensemble;

    @Option(names = "--lease", defaultValue = "120", paramLabel = "SECONDS", description = "a claim expires this long after its task's last heartbeat (default ${DEFAULT-VALUE})")
    double lease;

    @Option(names = "--tf32", description = "on the GPU, the training steps' GEMMs on TF32 tensor cores")
    boolean tf32;

    public static void main(String[] args) {
        System.exit(Main.commandLine(new SparkSweep()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!(lease >= 0.5)) throw new IllegalArgumentException("--lease must be at least 0.5 seconds, got " + lease);
        Device.parse(device); // a bad --device fails before Spark starts
        SweepSpec spec = SweepSpec.read(file);
        SweepPlan plan = SweepPlan.create((dir == null ? Path.of("runs", spec.name()) : dir).toAbsolutePath(), spec, ensemble);
        SparkConf conf = new SparkConf().setAppName("biaslab sweep " + spec.name());
        if (master != null) conf.setMaster(master);
        conf.setIfMissing("spark.master", "local[*]");
        if (conf.get("spark.master").startsWith("local")) { // the driver is the only executor: loopback, whatever the host name resolves to
            conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        System.out.printf("sweep '%s': %d runs in %d groups in %s on Spark %s: %s%n", spec.name(), plan.runs().size(), plan.groups().size(),
                plan.dir(), conf.get("spark.master"), SweepStatus.of(plan).line());
        JavaSparkContext context;
        try {
            context = new JavaSparkContext(conf);
        } catch (Exception e) { // e.g. SparkException: Could not parse Master URL
            throw new IllegalArgumentException("Spark cannot start: " + e.getMessage().lines().findFirst().orElse(e.toString()));
        }
        try (JavaSparkContext sc = context) {
            for (GroupTask.Result r : run(sc, plan, new GroupTask(plan.dir().toString(), device, Duration.ofMillis((long) (lease * 1000)), tf32))) {
                System.out.println("group " + r.group() + (r.attempt() > 0 ? " (attempt " + (r.attempt() + 1) + ")" : "") + ": "
                        + r.committed().size() + " runs committed");
            }
        } catch (SparkException e) {
            System.err.println("sweep spark: " + e.getMessage().lines().findFirst().orElse("") + " (the executors' logs have the rest)");
            return 1;
        }
        SweepStatus s = SweepStatus.of(plan);
        System.out.println(plan.dir() + ": " + s.line());
        return s.failed() > 0 ? 3 : 0; // as train's exit code for a diverged run
    }

    /** Trains every group of {@code plan} as one Spark task each (one partition per group); returns what each task did. */
    static List<GroupTask.Result> run(JavaSparkContext sc, SweepPlan plan, GroupTask task) throws SparkException {
        int groups = plan.groups().size();
        return sc.parallelize(IntStream.range(0, groups).boxed().toList(), Math.max(1, groups)).map(task).collect();
    }
}
