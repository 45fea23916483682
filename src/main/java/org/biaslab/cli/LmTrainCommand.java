package org.biaslab.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.biaslab.experiment.p3.LmRunConfig;
import org.biaslab.experiment.p3.LmTraining;
import org.biaslab.tensor.Device;
import org.biaslab.train.Diverged;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code biaslab lm train}: trains P3's language model, tracking the parameter norm per step and epoch. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train P3's causal transformer LM on a corpus (defaults: the reference's AdamW lr 1e-2, wd 0.01, batch 16, 5 epochs).",
                "Writes config.json, vocab.json, metrics.jsonl and one checkpoint per epoch to --out; an interrupted run resumes "
                        + "from its last finished epoch."})
public final class LmTrainCommand implements Callable<Integer> {
    @Mixin
    LmOptions options;

    @Option(names = "--epochs", description = "default 5") Integer epochs;
    @Option(names = "--optimizer", description = "adamw or sgd (default adamw)") String optimizer;
    @Option(names = "--lr", description = "default 1e-2") Double lr;
    @Option(names = "--weight-decay", description = "default 0.01 (torch's AdamW default)") Double weightDecay;
    @Option(names = "--log-every", description = "steps between training-loss and norm lines (default 50)") Integer logEvery;

    @Option(names = "--out", description = "run directory (default runs/lm-<variant>-<corpus name>)")
    Path out;

    @Override
    public Integer call() throws Exception {
        HashMap<String, Object> more = new HashMap<>();
        if (epochs != null) more.put("epochs", epochs);
        if (optimizer != null) more.put("optimizer", optimizer);
        if (lr != null) more.put("lr", lr);
        if (weightDecay != null) more.put("weightDecay", weightDecay);
        if (logEvery != null) more.put("logEvery", logEvery);
        LmRunConfig c = options.config(more);
        Path dir = out != null ? out : Path.of("runs", "lm-" + c.variant() + "-" + options.corpus.getFileName().toString().replaceFirst("\\.[^.]*$", ""));
        ProgressBar[] bar = new ProgressBar[1];
        LmTraining.Result r;
        try {
            r = LmTraining.run(c, dir, options.device(), new LmTraining.Listener() {
                @Override
                public void progress(long step, long total, double loss, double rate) {
                    if (bar[0] == null) {
                        bar[0] = new ProgressBarBuilder().setTaskName("lm").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                                .setUpdateIntervalMillis(500).continuousUpdate().build();
                    }
                    bar[0].stepTo(step);
                    bar[0].setExtraMessage(String.format("loss %.3f, %.0f tokens/s", loss, rate));
                }

                @Override
                public void note(String line) {
                    System.err.println(line);
                }
            }, null);
        } catch (Diverged e) {
            System.err.println(e.getMessage());
            return 3;
        } finally {
            if (bar[0] != null) bar[0].close();
        }
        System.out.println(dir + ":");
        for (Map<String, Object> m : r.dir().metrics()) {
            if (!m.containsKey("epoch")) continue;
            System.out.printf("  seed %s epoch %s: dev loss %.4f, ppl %.2f, acc1 %.4f, param norm %.2f, encoder norm %.2f%n", m.get("seed"),
                    m.get("epoch"), num(m, "dev/loss"), num(m, "dev/ppl"), num(m, "dev/acc1"), num(m, "param_norm"), num(m, "encoder_norm"));
        }
        return 0;
    }

    private static double num(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }
}
