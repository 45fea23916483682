package org.biaslab.probe.interpret;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;

/**
 * Where each self-attention head looks, averaged over the real queries q of a batch (attention W (B, H, T, T), keys
 * restricted to real tokens): the mass on the first token W[q, first] ([CLS], BOS, ViT's CLS), on the last token
 * W[q, last] (the final [SEP] or T5's {@code </s>}), on itself W[q, q], on the previous token W[q, q − 1] (over the
 * queries that have one), and the entropy −Σ_s W[q, s] ln W[q, s] in nats (ln T for uniform attention over T keys).
 */
public final class AttentionSummary {
    private AttentionSummary() {}

    /** One head's averages; {@code point} is its {@code hook_pattern}; {@code previous} is null when no query has a previous token. */
    public record Head(String point, int head, double first, double last, double self, Double previous, double entropy) {}

    /**
     * The summary of every self-attention head of one forward pass (cross-attention, T5's {@code EncDecAttention}, is
     * left out). The input's attention mask marks the real tokens; T5's decoder uses it only when it reads the input
     * ids (else all its tokens are real).
     */
    public static List<Head> of(PretrainedModel m, PretrainedModel.Input input) {
        List<Head> out = new ArrayList<>();
        Map<String, Tensor> self = new LinkedHashMap<>(), decoder = new LinkedHashMap<>();
        ActivationCache.run(m, input, "**.hook_pattern").forEach((name, w) -> {
            if (name.contains("EncDecAttention")) return;
            (name.startsWith("decoder.") ? decoder : self).put(name, w);
        });
        out.addAll(of(self, input.attentionMask()));
        out.addAll(of(decoder, input.decoderInputIds() == input.inputIds() ? input.attentionMask() : null));
        return out;
    }

    /** The summary of attention patterns (point → W (B, H, T, T)); {@code attentionMask} (B, T) is 1 at real tokens, null when none is padding. */
    public static List<Head> of(Map<String, Tensor> patterns, Tensor attentionMask) {
        List<Head> out = new ArrayList<>();
        patterns.forEach((point, w) -> {
            if (w.shape().rank() != 4 || w.dim(2) != w.dim(3)) throw new IllegalArgumentException(point + ": self-attention weights must be (B, H, T, T), got " + w.shape());
            int b = w.dim(0), h = w.dim(1), t = w.dim(2);
            int[] mask = attentionMask == null ? null : attentionMask.toIntArray();
            if (mask != null && mask.length != b * t) throw new IllegalArgumentException(point + ": attention mask " + attentionMask.shape() + " does not match weights " + w.shape());
            double[] v = w.toDoubleArray();
            for (int head = 0; head < h; head++) {
                double first = 0, last = 0, self = 0, previous = 0, entropy = 0;
                int queries = 0, withPrevious = 0;
                for (int bi = 0; bi < b; bi++) {
                    int lo = -1, hi = -1;
                    for (int s = 0; s < t; s++) {
                        if (mask != null && mask[bi * t + s] == 0) continue;
                        if (lo < 0) lo = s;
                        hi = s;
                    }
                    for (int q = lo; q >= 0 && q <= hi; q++) {
                        if (mask != null && mask[bi * t + q] == 0) continue;
                        int row = ((bi * h + head) * t + q) * t;
                        first += v[row + lo];
                        last += v[row + hi];
                        self += v[row + q];
                        if (q > lo) { previous += v[row + q - 1]; withPrevious++; }
                        for (int s = lo; s <= hi; s++) if (v[row + s] > 0) entropy -= v[row + s] * Math.log(v[row + s]);
                        queries++;
                    }
                }
                if (queries == 0) throw new IllegalArgumentException(point + ": no real query (the mask is all padding)");
                out.add(new Head(point, head, first / queries, last / queries, self / queries,
                        withPrevious == 0 ? null : previous / withPrevious, entropy / queries));
            }
        });
        return out;
    }
}
