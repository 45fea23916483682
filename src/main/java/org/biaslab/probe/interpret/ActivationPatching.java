package org.biaslab.probe.interpret;

import java.util.Map;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.bert.BertForMaskedLm;
import org.biaslab.nn.gpt2.Gpt2;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * Activation patching: run input B with the tensors at the hook points matching a glob replaced by their values in
 * the run on input A, and compare the output y (the logits where the model has an LM head, else the last hidden
 * state) with B's own: y_B, y_patched, y_A.
 */
public final class ActivationPatching {
    private ActivationPatching() {}

    /** The three outputs, each (B, T, ·), and the points patched. */
    public record Outputs(Tensor clean, Tensor patched, Tensor source, java.util.Set<String> points) {}

    /** {@link #run(PretrainedModel, PretrainedModel.Input, PretrainedModel.Input, String, Integer)} at every position. */
    public static Outputs run(PretrainedModel m, PretrainedModel.Input from, PretrainedModel.Input to, String glob) {
        return run(m, from, to, glob, null);
    }

    /**
     * Runs {@code from} (A) caching the points matching {@code glob}, then {@code to} (B) plainly and with those
     * points replaced: wholly, or at token {@code position} only when not null (index {@code position} of the
     * second-to-last axis, the token axis of every point: T of (B, T, d), of (B, H, T, d_head) and the query of
     * (B, H, T, S)). All three runs observe the same points, so the code they run is the same (docs/hooks.md) and
     * patching a point with its own value changes no bit. A and B must have the same shape at the points.
     */
    public static Outputs run(PretrainedModel m, PretrainedModel.Input from, PretrainedModel.Input to, String glob, Integer position) {
        try (var noTape = GradMode.off()) {
            Map<String, Tensor> cacheA;
            Tensor source;
            try (var c = m.module().hooks().capture(glob)) {
                source = output(m, from);
                cacheA = new java.util.LinkedHashMap<>();
                c.values().forEach((name, v) -> cacheA.put(name, v.getLast()));
            }
            if (cacheA.isEmpty()) ActivationCache.run(m, from, glob); // the error naming the model's points
            Tensor clean;
            try (var c = m.module().hooks().capture(glob)) {
                clean = output(m, to);
            }
            Tensor patched;
            try (var h = m.module().hooks().add(glob, (name, t) -> {
                Tensor a = cacheA.get(name);
                if (!java.util.Arrays.equals(a.shape().dims(), t.shape().dims())) {
                    throw new IllegalArgumentException(name + ": the source run has shape " + a.shape() + ", the patched run " + t.shape()
                            + "; patching needs inputs of the same length");
                }
                if (position == null) return a;
                int tokens = t.dim(-2);
                if (position < 0 || position >= tokens) throw new IllegalArgumentException(name + ": position " + position + " is outside its " + tokens + " tokens");
                int axis = t.shape().rank() - 2;
                return Tensor.concat(axis, t.slice(axis, 0, position), a.slice(axis, position, position + 1), t.slice(axis, position + 1, tokens));
            })) {
                patched = output(m, to);
            }
            return new Outputs(clean, patched, source, cacheA.keySet());
        }
    }

    /** The model's output: GPT-2's or BERT-MLM's logits (B, T, V), else the last hidden state (B, T, d). */
    public static Tensor output(PretrainedModel m, PretrainedModel.Input in) {
        return switch (m) {
            case Gpt2 g -> g.logits(in);
            case BertForMaskedLm b -> b.logits(in);
            default -> m.hiddenStates(in).getLast();
        };
    }
}
