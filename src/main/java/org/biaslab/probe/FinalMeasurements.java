package org.biaslab.probe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import org.biaslab.data.Batch;
import org.biaslab.data.BatchPrefetch;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1ScratchpadTransformer;
import org.biaslab.nn.P1Transformer;
import org.biaslab.probe.curvature.CurvatureConfig;
import org.biaslab.probe.curvature.CurvatureOperator;
import org.biaslab.probe.curvature.ParameterGroup;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * P1's end-of-training measurement (its {@code train.py} after training, docs/papers.md §P1.9.0): over a number of
 * fresh batches, the loss, accuracy (and autoregressive accuracy for the scratchpad model), LN blowup variants and
 * sharpness, each averaged over the batches; then the parameter norm and its products with every blowup value.
 */
public final class FinalMeasurements {
    /**
     * What to measure besides loss and accuracy.
     *
     * @param blowup      the LN blowup variants and per-LN diagnostics
     * @param sharpness   the sharpness settings, or null to skip it
     * @param normExclude the parameter-norm exclusion pattern, or null to skip the norm
     * @param curvature   the Hessian's top eigenvalue and trace, over the parameters the sharpness noise perturbs (all
     *                    outside {@code normExclude} without sharpness), or null to skip them
     */
    public record Plan(boolean blowup, SharpnessConfig sharpness, String normExclude, CurvatureConfig curvature) {
        /** A plan without curvature. */
        public Plan(boolean blowup, SharpnessConfig sharpness, String normExclude) {
            this(blowup, sharpness, normExclude, null);
        }

        /** Everything P1 measures, with its settings (ε 0.02, R 10, the same noise directions for every batch). */
        public static Plan p1(long noiseSeed) {
            return new Plan(true, SharpnessConfig.p1(noiseSeed), ParameterNorm.P1_EXCLUDE);
        }
    }

    /** The figure's blowup, multiplied by the norm into {@code param_norm_x_blowup}. */
    public static final String FIGURE_BLOWUP = "blowup_encoder_maxs_prod";
    /** The scratchpad figures' blowup (P1's E4 plots the decoder's), multiplied into its {@code param_norm_x_blowup}. */
    public static final String SCRATCHPAD_FIGURE_BLOWUP = "blowup_decoder_maxs_prod";

    private FinalMeasurements() {}

    /**
     * The measurements of each member over batches {@code batches.apply(0 … count − 1)}, keyed as in P1 ({@code loss},
     * {@code accuracy}, {@code sharpness} (raw S), {@code sharpness_x4}, {@code blowup_encoder_maxs_prod}, …,
     * {@code param_norm}, {@code param_norm_x_blowup_…}; {@code param_norm_x_blowup} uses the decoder's blowup for the
     * scratchpad model, as P1 does); {@code progress} hears of each finished batch.
     */
    public static Map<String, double[]> measure(Module model, IntFunction<Batch> batches, int count, Plan plan,
                                                IntConsumer progress) {
        return measure(model, batches, count, plan, Partial.NONE, partial -> { }, progress);
    }

    /**
     * The batch averages so far: {@code sums} holds each value's sum of batch values / count over batches 0 …
     * {@code done} − 1, per member.
     */
    public record Partial(int done, Map<String, double[]> sums) {
        /** Nothing measured yet. */
        public static final Partial NONE = new Partial(0, Map.of());
    }

    /**
     * Whether an interrupted measurement under {@code plan} can go on from a {@link Partial}: the batches are drawn by
     * index and the sharpness directions are the same for every batch (P1's), so a measurement continued at batch i
     * gives the bits of one that never stopped. Fresh directions continue a random stream that is not saved.
     */
    public static boolean resumable(Plan plan) {
        return plan.sharpness() == null || plan.sharpness().fixedDirections();
    }

    /**
     * {@link #measure(Module, IntFunction, int, Plan, IntConsumer)} continued from {@code from} (batches
     * {@code from.done()} … count − 1 still to measure; {@link Partial#NONE} to start), handing {@code saved} the
     * partial sums after every batch (the same map, updated in place: copy what you keep). Needs a
     * {@link #resumable} plan to start anywhere but at 0.
     */
    public static Map<String, double[]> measure(Module model, IntFunction<Batch> batches, int count, Plan plan, Partial from,
                                                Consumer<Partial> saved, IntConsumer progress) {
        if (count < 1) throw new IllegalArgumentException("measure: needs at least one batch, got " + count);
        if (from.done() < 0 || from.done() > count) throw new IllegalArgumentException("measure: resumed at batch " + from.done() + " of " + count);
        if (from.done() > 0 && !resumable(plan)) throw new IllegalArgumentException("measure: fresh sharpness directions cannot be resumed");
        int members = model.members();
        Map<String, double[]> out = new LinkedHashMap<>();
        from.sums().forEach((k, v) -> {
            if (v.length != members) throw new IllegalArgumentException("measure: resumed " + k + " has " + v.length + " members, the model " + members);
            out.put(k, v.clone());
        });
        Sharpness sharpness = plan.sharpness() == null ? null : new Sharpness(model, plan.sharpness());
        Device device = model.namedParameters().values().iterator().next().device();
        // batch i + 1 drawn while i is measured
        try (BatchPrefetch ahead = new BatchPrefetch(i -> batches.apply((int) i), from.done(), count)) {
            measureBatches(model, device, ahead, from.done(), count, plan, sharpness, out, saved, progress);
        }
        if (plan.curvature() != null) out.putAll(curvature(model, batches, plan));
        if (plan.normExclude() != null) {
            double[] sq = ParameterNorm.squared(model, plan.normExclude());
            double[] norm = new double[members];
            for (int m = 0; m < members; m++) norm[m] = Math.sqrt(sq[m]);
            out.put("squared_param_norm", sq);
            out.put("param_norm", norm);
            Map<String, double[]> products = new LinkedHashMap<>();
            for (var e : out.entrySet()) {
                if (e.getKey().startsWith("blowup")) products.put("param_norm_x_" + e.getKey(), times(norm, e.getValue()));
            }
            String figure = model instanceof P1ScratchpadTransformer ? SCRATCHPAD_FIGURE_BLOWUP : FIGURE_BLOWUP;
            if (out.containsKey(figure)) out.put("param_norm_x_blowup", times(norm, out.get(figure)));
            out.putAll(products);
        }
        return out;
    }

    /**
     * Adds each batch's values / count to {@code out}, per member. A P1 model on the GPU is measured from CUDA graphs
     * captured on the first batch ({@link ReplayedMeasurement}: the same bits), each batch queued before the host
     * works on the previous one's values.
     */
    private static void measureBatches(Module model, Device device, BatchPrefetch batches, int start, int count, Plan plan,
                                       Sharpness sharpness, Map<String, double[]> out, Consumer<Partial> saved,
                                       IntConsumer progress) {
        ReplayedMeasurement replayed = null;
        try {
            double[] last = null; // the previous batch's values, read back
            for (int i = start; i < count; i++) {
                Batch b = batches.next();
                if (i == start) replayed = ReplayedMeasurement.capture(model, plan, sharpness, b);
                if (replayed == null) {
                    add(measureBatch(model, b.to(device), plan, sharpness), count, out);
                    finished(i, out, saved, progress);
                    continue;
                }
                replayed.launch(b);
                if (last != null) {
                    add(replayed.values(last), count, out);
                    finished(i - 1, out, saved, progress);
                }
                last = replayed.take();
            }
            if (last != null) {
                add(replayed.values(last), count, out);
                finished(count - 1, out, saved, progress);
            }
        } finally {
            if (replayed != null) replayed.close();
        }
    }

    /** Batch {@code i} is in {@code out}: the partial sums are handed on and the progress told. */
    private static void finished(int i, Map<String, double[]> out, Consumer<Partial> saved, IntConsumer progress) {
        saved.accept(new Partial(i + 1, out));
        if (progress != null) progress.accept(i + 1);
    }

    /** Batch {@code b}'s values, measured eagerly. */
    static Map<String, double[]> measureBatch(Module model, Batch b, Plan plan, Sharpness sharpness) {
        int members = model.members();
        Map<String, double[]> batch = new LinkedHashMap<>();
        try (var off = GradMode.off()) {
            Tensor[] pred = new Tensor[1];
            Runnable forward = () -> pred[0] = P1Objective.predict(model, b);
            Map<String, double[]> blowup = plan.blowup() ? LayerNormBlowup.measure(model, forward) : null;
            if (blowup == null) forward.run();
            Tensor loss = P1Objective.loss(pred[0], b.y(), members);
            batch.put("loss", loss.toDoubleArray());
            batch.put("accuracy", P1Objective.accuracy(pred[0], b.y(), members));
            if (model instanceof P1ScratchpadTransformer s) batch.put("autoregressive_accuracy", P1Objective.autoregressiveAccuracy(s, b));
            if (sharpness != null) {
                // L(θ) is this batch's loss above
                putSharpness(batch, sharpness.next(loss, P1Objective.lossOn(model, b)));
            }
            if (blowup != null) batch.putAll(blowup);
        }
        return batch;
    }

    /** A batch's raw S of each member as {@code sharpness}, and 4·S, what P1's plots show, as {@code sharpness_x4}. */
    static void putSharpness(Map<String, double[]> batch, double[] s) {
        batch.put("sharpness", s);
        batch.put("sharpness_x4", scaled(s, 4));
    }

    /** Adds a batch's values / count to {@code out}. */
    private static void add(Map<String, double[]> batch, int count, Map<String, double[]> out) {
        for (var e : batch.entrySet()) {
            double[] sum = out.computeIfAbsent(e.getKey(), k -> new double[e.getValue().length]);
            for (int m = 0; m < sum.length; m++) sum[m] += e.getValue()[m] / count;
        }
    }

    /**
     * The Hessian's top eigenvalue and trace on the plan's first curvature batches, and with sharpness
     * {@code hessian_trace_sharpness} = (ε²/2)·tr H, the value of S that the trace predicts for small ε.
     */
    private static Map<String, double[]> curvature(Module model, IntFunction<Batch> batches, Plan plan) {
        CurvatureConfig c = plan.curvature();
        var device = model.namedParameters().values().iterator().next().device();
        Batch[] data = new Batch[c.batches()];
        for (int k = 0; k < data.length; k++) data[k] = batches.apply(k).to(device);
        String exclude = plan.sharpness() != null ? plan.sharpness().exclude() : plan.normExclude();
        CurvatureOperator h = CurvatureOperator.hessian(ParameterGroup.select(model, "**", exclude),
                k -> P1Objective.loss(P1Objective.predict(model, data[k]), data[k].y(), model.members()), data.length);
        Map<String, double[]> out = c.measure(h);
        if (plan.sharpness() != null) out.put("hessian_trace_sharpness", scaled(out.get("hessian_trace"), plan.sharpness().eps() * plan.sharpness().eps() / 2));
        return out;
    }

    private static double[] scaled(double[] v, double c) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = c * v[i];
        return r;
    }

    private static double[] times(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i] * b[i];
        return r;
    }
}
