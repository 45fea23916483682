package org.biaslab.probe.spectrum;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * The LayerNorm-sign experiment (papers.md §P2.3): flips the sign of γ entries of the norms that feed the attention
 * layers, so that diag(γ) H_h, and with it the sign of H's spectrum, changes. The whole forward pass sees the flip:
 * queries and keys too, so the attention patterns move as well.
 */
public final class LayerNormSign {
    private LayerNormSign() {}

    /**
     * Flips, in {@code model}, round(fraction · d) entries of γ, drawn without replacement from {@code seed}
     * independently per norm, of every norm named by {@code layers} ({@link ValueOutput#norm()}); fraction 1 flips
     * all. Returns the γ parameters flipped.
     */
    public static Set<String> flip(Module model, List<ValueOutput> layers, double fraction, long seed) {
        if (!(fraction >= 0 && fraction <= 1)) throw new IllegalArgumentException("LayerNorm sign: fraction " + fraction + " is not in [0, 1]");
        Map<String, Tensor> params = new LinkedHashMap<>(model.namedParameters());
        Set<String> flipped = new LinkedHashSet<>();
        SplittableRandom rng = new SplittableRandom(seed);
        for (ValueOutput layer : layers) {
            if (layer.norm() == null || !flipped.add(layer.norm() + ".weight")) continue;
            Tensor gamma = params.get(layer.norm() + ".weight");
            double[] g = gamma.toDoubleArray();
            int[] order = java.util.stream.IntStream.range(0, g.length).toArray();
            for (int k = 0; k < Math.round(fraction * g.length); k++) { // a partial Fisher–Yates shuffle picks the entries
                int pick = k + rng.nextInt(g.length - k), e = order[pick];
                order[pick] = order[k];
                g[e] = -g[e];
            }
            params.put(layer.norm() + ".weight", Tensor.of(g, gamma.shape().dims()).to(gamma.dtype()));
        }
        model.load(params);
        return flipped;
    }
}
