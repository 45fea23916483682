package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.data.TextBatch;
import org.biaslab.nn.Init;
import org.biaslab.nn.lm.LanguageModel;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.Optimizer;
import org.biaslab.optim.Schedule;
import org.biaslab.optim.Sgd;
import org.biaslab.optim.SgdConfig;
import org.biaslab.probe.ParameterNorm;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Precision;
import org.biaslab.tensor.Tensor;
import org.biaslab.train.Diverged;
import org.biaslab.train.RunDir;

/**
 * Trains P3's language model (papers.md §P3.4 (2)) with the masked next-token loss ({@link LmLoss}), seeds as
 * ensemble members of one model, constant learning rate. The run directory holds {@code config.json},
 * {@code vocab.json}, {@code metrics.jsonl} (per member, keyed by {@code seed}: {@code train/loss} and
 * {@code param_norm} and {@code encoder_norm} every {@code logEvery} steps; at epoch 0 (initialisation) and after every epoch the
 * {@link DevMetrics} as {@code dev/loss}, {@code dev/acc1}, {@code dev/ppl}, the norm and the callback's values),
 * one checkpoint per epoch ({@code ckpt-<step>/model.safetensors}, the optimizer state kept for the last two only) and
 * {@code summary.json} when done. An interrupted run resumes from its last finished epoch and continues exactly
 * as if it had not stopped; a NaN loss stops it, keeping the last good checkpoint.
 */
public final class LmTraining {
    /** The parameter norm the reference tracks ({@code param_norm}): all parameters, embeddings included. */
    public static final String NORM_EXCLUDE = "";
    /**
     * The reference grid's {@code encoder} norm ({@code encoder_norm}): every parameter but the token and position
     * tables and the classifier, whose many rarely seen rows weight decay shrinks.
     */
    public static final String ENCODER = "^(embed|pos_embed|classifier)\\.";

    private LmTraining() {}

    /** Receives progress after every step; {@code tokensPerSecond} counts each member's real target tokens. */
    public interface Listener {
        void progress(long step, long total, double meanLoss, double tokensPerSecond);

        /** Something the user should know about the run's files, in one line: a damaged checkpoint passed over, a corrupt metrics line dropped. */
        default void note(String line) {}
    }

    /** Called with the model at initialisation (epoch 0) and after each epoch; returns named values, one per member. */
    @FunctionalInterface
    public interface EpochCallback {
        Map<String, double[]> afterEpoch(LanguageModel model, int epoch, LmData data);
    }

    /** A trained (or already finished) run: its directory, the model at the last epoch, and its data. */
    public record Result(RunDir dir, LanguageModel model, LmData data) {}

    /** A run loaded for measuring: its config, the model at checkpoint {@code step} and its data. */
    public record Loaded(LmRunConfig config, LanguageModel model, LmData data, long step) {}

    /**
     * The run in {@code dir} (an {@code lm train} or P3 run directory) at its newest checkpoint that verifies, with its
     * data, for measuring; nothing is trained or written.
     */
    public static Loaded load(Path dir) throws IOException {
        LmRunConfig c = LmRunConfig.fromJson(Files.readString(dir.resolve("config.json")));
        RunDir run = new RunDir(dir);
        RunDir.Scan found = run.scan();
        if (!found.found()) throw new IllegalArgumentException(dir + ": no checkpoint to measure");
        LmData data = LmData.load(c);
        LanguageModel model = new LanguageModel(c.model(data.vocab().size()), Init.forLoading(DType.F32, c.seeds().size()));
        model.load(run.load(found).model());
        return new Loaded(c, model, data, found.step());
    }

    /** Trains (or resumes, or only loads a finished) run of {@code c} in {@code dir}; listener and callback may be null. */
    public static Result run(LmRunConfig c, Path dir, Device device, Listener listener, EpochCallback callback) throws IOException {
        LmData data = LmData.load(c);
        RunDir run = new RunDir(dir);
        run.init(c.toJson());
        data.vocab().save(dir.resolve("vocab.json"));
        long[] seeds = c.seeds().stream().mapToLong(Long::longValue).toArray();
        LanguageModel model = new LanguageModel(c.model(data.vocab().size()), Init.f32(seeds));
        RunDir.Scan found = run.scan();
        RunDir.Checkpoint ck = found.found() ? run.load(found) : null;
        List<String> notes = new ArrayList<>();
        for (String skipped : found.skipped()) notes.add(skipped + "; " + (ck == null ? "starting afresh" : "resuming from " + RunDir.checkpointName(ck.step())));
        if (ck != null) model.load(ck.model());
        model.to(device);
        if (run.finished()) return new Result(run, model, data);
        int members = seeds.length;
        double[] lrs = new double[members], wds = new double[members];
        Arrays.fill(lrs, c.lr());
        Arrays.fill(wds, c.weightDecay());
        Optimizer<?> opt = optimizer(c.optimizer(), model, lrs, wds);
        int spe = data.stepsPerEpoch(c.batch());
        if (spe == 0) throw new IllegalArgumentException("LM training: " + data.train().size() + " training sequences make no batch of " + c.batch());
        long start = 0;
        if (ck != null) {
            opt.load(ck.optimizer());
            start = ck.step();
            if (start % spe != 0) throw new IllegalArgumentException(dir + ": checkpoint step " + start + " is not at an epoch's end (" + spe + " steps per epoch)");
        }
        notes.addAll(run.truncateMetrics(ck == null ? -1 : start)); // without a checkpoint, epoch 0's lines are logged again
        if (listener != null) notes.forEach(listener::note);
        if (ck == null) endOfEpoch(run, c, model, data, device, callback, opt, 0, 0);
        long total = (long) spe * c.epochs(), t0 = System.nanoTime(), tokens = 0;
        for (int epoch = (int) (start / spe); epoch < c.epochs(); epoch++) {
            List<TextBatch> batches = data.epoch(epoch, c.batch(), c.dataSeed());
            for (int i = 0; i < spe; i++) {
                long step = (long) epoch * spe + i + 1;
                TextBatch b = batches.get(i);
                double[] losses = step(model, opt, b, device);
                for (int e = 0; e < members; e++) {
                    if (!Double.isFinite(losses[e])) {
                        throw new Diverged("LM training: the loss of seed " + seeds[e] + " became " + losses[e] + " at step " + step
                                + " in " + dir + "; " + run.lastGood());
                    }
                }
                tokens += (long) members * sum(b.targetMask().toIntArray());
                if (step % c.logEvery() == 0) {
                    double[] norms = ParameterNorm.of(model, NORM_EXCLUDE), encoder = ParameterNorm.of(model, ENCODER);
                    for (int e = 0; e < members; e++) {
                        Map<String, Object> m = line(step, seeds[e]);
                        m.put("train/loss", losses[e]);
                        m.put("param_norm", norms[e]);
                        m.put("encoder_norm", encoder[e]);
                        run.log(m);
                    }
                }
                if (listener != null) listener.progress(step, total, mean(losses), tokens / ((System.nanoTime() - t0) / 1e9));
            }
            endOfEpoch(run, c, model, data, device, callback, opt, epoch + 1, (long) (epoch + 1) * spe);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("epochs", c.epochs());
        summary.put("steps", total);
        summary.put("seeds", c.seeds());
        run.writeSummary(summary);
        return new Result(run, model, data);
    }

    /** Dev metrics, callback values and the norm logged for epoch {@code epoch}, then its checkpoint. */
    private static void endOfEpoch(RunDir run, LmRunConfig c, LanguageModel model, LmData data, Device device,
                                   EpochCallback callback, Optimizer<?> opt, int epoch, long step) throws IOException {
        DevMetrics dev = DevMetrics.of(model, data.devBatches(c.devBatch()), device);
        double[] norms = ParameterNorm.of(model, NORM_EXCLUDE), encoder = ParameterNorm.of(model, ENCODER);
        Map<String, double[]> extra = callback == null ? Map.of() : callback.afterEpoch(model, epoch, data);
        for (int e = 0; e < model.members(); e++) {
            Map<String, Object> m = line(step, c.seeds().get(e));
            m.put("epoch", epoch);
            m.put("dev/loss", dev.loss()[e]);
            m.put("dev/acc1", dev.acc1()[e]);
            m.put("dev/ppl", dev.ppl()[e]);
            m.put("param_norm", norms[e]);
            m.put("encoder_norm", encoder[e]);
            for (var x : extra.entrySet()) m.put(x.getKey(), x.getValue()[e]);
            run.log(m);
        }
        run.saveCheckpoint(step, model.namedParameters(), opt.state(), c.toJson(), true);
    }

    private static Map<String, Object> line(long step, long seed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("seed", seed);
        return m;
    }

    /**
     * One update on batch {@code b}: the members' losses summed, backpropagated, one optimiser step (in the training
     * precision of {@link Precision#trainingStep}). Returns each member's loss before the update.
     */
    static double[] step(LanguageModel model, Optimizer<?> opt, TextBatch b, Device device) {
        try (Precision.Scope ignored = Precision.trainingStep(device)) {
            Tensor logits = model.forward(b.inputs().to(device), null); // (…, B, T, V)
            Tensor losses = LmLoss.batchLoss(logits, b.targets(), b.targetMask(), model.members()); // (E)
            losses.sum().backward();
            opt.step();
            opt.zeroGrad();
            return losses.toDoubleArray();
        }
    }

    /**
     * AdamW (PyTorch's betas and eps) or plain SGD over the model's parameters, constant learning rate, member e with
     * {@code lrs[e]} and weight decay {@code wds[e]} (SGD takes one weight decay for all members).
     */
    static Optimizer<?> optimizer(String kind, LanguageModel model, double[] lrs, double[] wds) {
        Schedule constant = Schedule.constant();
        return switch (kind) {
            case "adamw" -> new AdamW(model.namedParameters(), new AdamWConfig(lrs[0], 0.9, 0.999, 1e-8, wds[0]), constant, lrs, wds);
            case "sgd" -> {
                for (double wd : wds) if (wd != wds[0]) throw new IllegalArgumentException("SGD: one weight decay for all members, got " + wd + " and " + wds[0]);
                yield new Sgd(model.namedParameters(), new SgdConfig(lrs[0], 0, 0, wds[0], false), constant, lrs);
            }
            default -> throw new IllegalArgumentException("unknown optimizer '" + kind + "' (adamw, sgd)");
        };
    }

    private static long sum(int[] v) {
        long s = 0;
        for (int x : v) s += x;
        return s;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
