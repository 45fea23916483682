package org.biaslab.probe.saturation;

import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.nn.Module;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * P3's saturation operator (papers.md §P3.2, the reference's {@code saturate(model, infinity=1000)}): every parameter
 * of a module (embeddings, LayerNorm γ and β, biases included) is replaced by c·θ until {@link #close}, which puts
 * the original tensors themselves back, so the parameters are bit-identical afterwards. The scaled copies carry no
 * gradient: measure under it, do not train.
 */
public final class Saturate implements AutoCloseable {
    /** The reference's "infinity". */
    public static final double INFINITY = 1000;

    private final Module module;
    private final Map<String, Tensor> originals;

    private Saturate(Module module, Map<String, Tensor> originals) {
        this.module = module;
        this.originals = originals;
    }

    /** Scales every parameter of {@code module} by {@code c} (> 0) until the returned handle is closed. */
    public static Saturate scale(Module module, double c) {
        if (!(c > 0) || Double.isInfinite(c)) throw new IllegalArgumentException("saturation scale c must be positive and finite, got " + c);
        Map<String, Tensor> originals = new LinkedHashMap<>(module.namedParameters());
        try (var off = GradMode.off()) {
            originals.forEach((name, p) -> module.swapParameter(name, p.detach().mul(c)));
        }
        return new Saturate(module, originals);
    }

    /** Puts the original parameter tensors back. */
    @Override
    public void close() {
        originals.forEach(module::swapParameter);
    }
}
