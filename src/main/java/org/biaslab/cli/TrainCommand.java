package org.biaslab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.biaslab.boolfn.BooleanFunction;
import org.biaslab.train.Diverged;
import org.biaslab.train.RunConfig;
import org.biaslab.train.RunDir;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Precision;
import org.biaslab.train.RunQueue;
import org.biaslab.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains P1 models on bit-string tasks; several seeds train together as one ensemble. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train P1's transformer on a bit-string task (defaults: P1's, docs/papers.md §P1.9.0).",
                "Each seed is a run with its own directory; runs at the same step train together as one ensemble.",
                "A run that was interrupted resumes from its last checkpoint; finished runs are skipped."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", description = "run config (YAML or JSON); flags override its fields")
    Path config;

    @Option(names = "--task", description = "target function, e.g. parity, majority, first, mean, random:3 (see 'boolfn list')")
    String task;

    @Option(names = "--n", description = "input length")
    Integer n;

    @Option(names = "--min-n", description = "with --min-n < --n, each batch's length is drawn from min-n..n (P1's min_len)")
    Integer minN;

    @Option(names = "--seeds", split = ",", description = "seeds, one run each (default: the config's seed)")
    List<Long> seeds;

    @Option(names = "--steps") Long steps;
    @Option(names = "--batch") Integer batch;
    @Option(names = "--lr") Double lr;
    @Option(names = "--weight-decay") Double weightDecay;
    @Option(names = "--schedule", description = "constant, warmup:W, linear[:F[:W]], cosine[:F[:W]], invsqrt:W") String schedule;
    @Option(names = "--clip", description = "gradient-norm clipping per run (0: none)") Double clip;
    @Option(names = "--d", description = "model width") Integer d;
    @Option(names = "--layers") Integer layers;
    @Option(names = "--heads") Integer heads;
    @Option(names = "--scratchpad", description = "train the encoder-decoder on prefix parities") Boolean scratchpad;
    @Option(names = "--restricted-size", description = "train on this many fixed inputs (0: fresh batches)") Integer restrictedSize;
    @Option(names = "--log-every") Integer logEvery;
    @Option(names = "--eval-every") Integer evalEvery;
    @Option(names = "--eval-batches") Integer evalBatches;
    @Option(names = "--checkpoint-every") Integer checkpointEvery;
    @Option(names = "--keep-checkpoints", description = "keep every checkpoint's model, not only the last two checkpoints (for 'measure norms')") Boolean keepCheckpoints;

    @Option(names = "--out", defaultValue = "runs", description = "parent directory of the run directories (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--ensemble", defaultValue = "64", description = "most runs trained together (default ${DEFAULT-VALUE}; on the GPU also capped by its memory)")
    int ensemble;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--tf32", description = "on the GPU, the training steps' GEMMs on TF32 tensor cores; evaluation and measurements stay exact float32 (default: exact)")
    boolean tf32;

    @Option(names = "--graph", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "on the GPU, each P1 training step's forward, loss and backward captured once as a CUDA graph and replayed: the eager step's bits, fewer launches (default; --no-graph trains eagerly; docs/gpu.md)")
    boolean graph;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RunQueue.useDevice(Device.parse(device));
        boolean asked = spec.commandLine().getParseResult().hasMatchedOption("--graph"); // not only the default
        if (asked && graph && Device.parse(device) != Device.CUDA) throw new IllegalArgumentException("--graph needs --device cuda (CUDA graphs)");
        Precision.setTrainingTf32(tf32);
        Trainer.setCaptureSteps(graph);
        RunConfig base = config == null ? RunConfig.defaults() : RunConfig.read(config);
        Map<String, Object> o = new LinkedHashMap<>();
        put(o, "task", task);
        put(o, "n", n);
        put(o, "minN", minN);
        put(o, "steps", steps);
        put(o, "batch", batch);
        put(o, "lr", lr);
        put(o, "weightDecay", weightDecay);
        put(o, "schedule", schedule);
        put(o, "clip", clip);
        put(o, "d", d);
        put(o, "layers", layers);
        put(o, "heads", heads);
        put(o, "scratchpad", scratchpad);
        put(o, "restrictedSize", restrictedSize);
        put(o, "logEvery", logEvery);
        put(o, "evalEvery", evalEvery);
        put(o, "evalBatches", evalBatches);
        put(o, "checkpointEvery", checkpointEvery);
        put(o, "keepCheckpoints", keepCheckpoints);
        if (n != null && base.maxLen() < n) o.put("maxLen", n);
        base = base.with(o);
        List<RunConfig> configs = new ArrayList<>();
        for (long seed : seeds == null ? List.of(base.seed()) : seeds) configs.add(base.with(Map.of("seed", seed, "restrictedSeed", seed)));
        List<Trainer.Run> runs = RunQueue.prepare(out, configs);
        for (Trainer.Run r : runs) {
            if (RunQueue.done(r)) System.out.println(r.dir().path() + ": finished already, " + summaryLine(r));
        }
        try {
            RunQueue.train(runs, ensemble, new ProgressObserver(spec.commandLine().getErr()));
        } catch (Diverged e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 3;
        }
        return 0;
    }

    /** Shows a progress bar per ensemble and each run's result when it is done; notes about a run's files go to {@code err}. */
    static final class ProgressObserver implements RunQueue.Observer {
        private final PrintWriter err;
        private ProgressBar bar;

        ProgressObserver(PrintWriter err) {
            this.err = err;
        }

        ProgressObserver() {
            this(new PrintWriter(System.err, true));
        }

        @Override
        public Trainer.Listener starting(List<Trainer.Run> group, long from) {
            String what = group.size() == 1 ? group.get(0).dir().path().toString() : group.size() + " runs as one ensemble";
            System.out.println((from > 0 ? "resuming at step " + from + " from " + (group.size() == 1 ? "" : "each run's ")
                    + RunDir.checkpointName(from) + ": " : "training ") + what);
            bar = Progress.bar("train", group.get(0).config().steps());
            bar.stepTo(from);
            ProgressBar b = bar;
            boolean[] estimated = {false};
            return new Trainer.Listener() {
                @Override
                public void progress(long step, long total, double loss, double rate) {
                    b.stepTo(step);
                    b.setExtraMessage(String.format("loss %.3g, %.1f steps/s", loss, rate));
                    if (!estimated[0] && step - from >= ESTIMATE_AFTER && rate > 0) { // once, when the rate has settled a little
                        estimated[0] = true;
                        System.out.printf("estimated: %s for the remaining %,d steps (%.1f steps/s)%n", duration((total - step) / rate), total - step, rate);
                    }
                }

                @Override
                public void note(String line) {
                    err.println(line);
                }
            };
        }

        @Override
        public void finished(List<Trainer.Run> group) throws java.io.IOException {
            bar.close();
            for (Trainer.Run r : group) System.out.println(r.dir().path() + ": " + summaryLine(r));
        }
    }

    /** Steps after which training prints its estimated duration. */
    private static final int ESTIMATE_AFTER = 20;

    static String duration(double seconds) {
        return seconds < 90 ? String.format("%.0f s", seconds) : seconds < 5400 ? String.format("%.1f min", seconds / 60)
                : String.format("%.1f h", seconds / 3600);
    }

    /** Eval loss, accuracy where the target is Boolean (MEAN's real-valued target has none), norm, convergence. */
    static String summaryLine(Trainer.Run run) throws java.io.IOException {
        Map<String, Object> s = run.dir().summary();
        boolean bool = Trainer.task(run.config()).targets().stream().allMatch(f -> f instanceof BooleanFunction);
        return String.format("eval loss %.3g%s, param norm %.2f%s", ((Number) s.get("eval/loss")).doubleValue(),
                bool ? String.format(", eval accuracy %.4f", ((Number) s.get("eval/accuracy")).doubleValue()) : "",
                ((Number) s.get("param_norm")).doubleValue(), Boolean.TRUE.equals(s.get("converged")) ? ", converged" : "");
    }

    private static void put(Map<String, Object> o, String key, Object value) {
        if (value != null) o.put(key, value);
    }
}
