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

    /**
     * Runs {@code from} (A) caching the points matching {@code glob}, then {@code to} (B) plainly and with those
     * points replaced. All three runs observe the same points, so the code they run is the same (docs/hooks.md) and
     * patching a point with its own value changes no bit. A and B must have the same shape at the points.
     */
    public static Outputs run(PretrainedModel m, PretrainedModel.Input from, PretrainedModel.Input to, String glob) {
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
                return a;
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
