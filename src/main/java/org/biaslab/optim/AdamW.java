package org.biaslab.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.SequencedMap;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.InPlace;
import org.biaslab.tensor.Tensor;

/**
 * AdamW (Loshchilov and Hutter, decoupled weight decay) with the semantics of PyTorch's {@code torch.optim.AdamW}
 * (single-tensor path, amsgrad off): per parameter, with t counting that parameter's updates from 1,
 * p ← p(1 − lr·wd); m ← β1m + (1 − β1)g; v ← β2v + (1 − β2)g²; p ← p − lr/(1 − β1^t) · m / (√v/√(1 − β2^t) + eps).
 * State per parameter, as in PyTorch's state_dict: {@code exp_avg}, {@code exp_avg_sq} and {@code step}.
 */
public final class AdamW extends Optimizer<AdamW.Moments> {
    private static final String[] KEYS = {"exp_avg", "exp_avg_sq", "step"};
    private final AdamWConfig config;
    private final double[] weightDecay;
    /** This step's (p, g, exp_avg, exp_avg_sq) by update count t, applied together in {@link #updated}. */
    private final Map<Long, List<Tensor[]>> queued = new TreeMap<>();

    /** The moments of one parameter after {@code step} updates. */
    record Moments(Tensor expAvg, Tensor expAvgSq, long step) {}

    /** AdamW over {@code params} with lr {@code config.lr()} × schedule. */
    public AdamW(SequencedMap<String, Tensor> params, AdamWConfig config, Schedule schedule) {
        this(params, config, schedule, new double[] {config.lr()});
    }

    /** An ensemble's AdamW: {@code memberLr[e]} replaces {@code config.lr()} for member e (axis 0 of every parameter). */
    public AdamW(SequencedMap<String, Tensor> params, AdamWConfig config, Schedule schedule, double[] memberLr) {
        this(params, config, schedule, memberLr, new double[] {config.weightDecay()});
    }

    /**
     * An ensemble's AdamW with a learning rate and a weight decay per member: {@code memberWeightDecay[e]} replaces
     * {@code config.weightDecay()} for member e (one value applies to all members).
     */
    public AdamW(SequencedMap<String, Tensor> params, AdamWConfig config, Schedule schedule, double[] memberLr,
                 double[] memberWeightDecay) {
        super("AdamW", params, memberLr, schedule);
        if (memberWeightDecay.length != 1 && memberWeightDecay.length != memberLr.length) {
            throw new IllegalArgumentException("AdamW: " + memberWeightDecay.length + " weight decays for " + memberLr.length
                    + " learning rates; give one, or one per member");
        }
        for (double wd : memberWeightDecay) Checks.nonNegative("AdamW", "weight_decay", wd);
        this.config = config;
        this.weightDecay = memberWeightDecay.clone();
    }

    public AdamWConfig config() {
        return config;
    }

    @Override
    Moments update(Tensor p, Tensor g, Moments s, double[] lr) {
        if (s == null) s = new Moments(Tensor.zerosLike(p), Tensor.zerosLike(p), 0);
        long t = s.step() + 1;
        if (!decayShared()) {
            // members decay by their own factor first; the kernel's p·(1 − lr·wd) rounds the same way, so the bits agree
            double[] decay = new double[weightDecay.length];
            for (int e = 0; e < decay.length; e++) decay[e] = 1 - lr[e] * weightDecay[e];
            InPlace.scale(p, decay);
        }
        queued.computeIfAbsent(t, k -> new ArrayList<>()).add(new Tensor[] {p, g, s.expAvg(), s.expAvgSq()});
        return new Moments(s.expAvg(), s.expAvgSq(), t);
    }

    /** Whether every member has one weight decay, which the kernel then applies; otherwise {@link #update} does. */
    private boolean decayShared() {
        return Arrays.stream(weightDecay).allMatch(w -> w == weightDecay[0]);
    }

    /** The step's updates, one {@link InPlace#adamwAll} per update count (on the GPU one launch for all parameters). */
    @Override
    void updated(double[] lr) {
        try {
            for (var e : queued.entrySet()) {
                InPlace.adamwAll(e.getValue(), lr, config.beta1(), config.beta2(), config.eps(), decayShared() ? weightDecay[0] : 0, e.getKey());
            }
        } finally {
            queued.clear();
        }
    }

    @Override
    void export(String param, Moments s, Map<String, Tensor> out) {
        out.put("exp_avg." + param, copyOf(s.expAvg()));
        out.put("exp_avg_sq." + param, copyOf(s.expAvgSq()));
        out.put("step." + param, Tensor.scalar(DType.F64, s.step()));
    }

    @Override
    Moments read(String param, Tensor p, Map<String, Tensor> rest) {
        Tensor m = takeLike(rest, "exp_avg." + param, p), v = takeLike(rest, "exp_avg_sq." + param, p);
        long t = takeCount(rest, "step." + param, false);
        requireAllOrNone(param, KEYS, m, v, t < 0 ? null : t);
        return m == null ? null : new Moments(m, v, t);
    }
}
