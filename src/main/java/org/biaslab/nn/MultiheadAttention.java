package org.biaslab.nn;

import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;

/**
 * Multi-head scaled dot-product attention, PyTorch's {@code nn.MultiheadAttention} with a packed
 * {@code in_proj_weight} (3d, d) (Xavier-uniform), {@code in_proj_bias} (3d) = 0 and {@code out_proj} (Linear,
 * bias 0). Scores are scaled by 1/√d_head. Hook points: {@code hook_in}, {@code hook_out}, and those of
 * {@link AttentionHeads}. Masked scores are float32's lowest value rather than −∞, so a query whose keys are all
 * padding attends uniformly where PyTorch returns NaN; every other output is the same.
 */
public final class MultiheadAttention extends AttentionHeads {
    private final int d;
    private final Linear outProj;

    public MultiheadAttention(int d, int heads, boolean bias, Init init) {
        super(heads, init.members());
        if (d % heads != 0) throw new IllegalArgumentException("attention: d = " + d + " is not divisible by " + heads + " heads");
        this.d = d;
        register("in_proj_weight", init.xavierUniform(3 * d, d));
        if (bias) register("in_proj_bias", init.constant(0, 3 * d));
        outProj = child("out_proj", new Linear(d, d, bias, init));
        if (bias) outProj.load(java.util.Map.of("weight", outProj.p("weight"), "bias", init.constant(0, d)));
    }

    /**
     * Attention of queries from {@code x} (…, T, d) over keys and values from {@code memory} (…, S, d) (pass x for
     * self-attention). {@code causal} masks later positions; {@code keyPadding} (B, S), non-zero at padded keys, may
     * be null.
     */
    public Tensor forward(Tensor x, Tensor memory, boolean causal, Tensor keyPadding) {
        return forward(x, memory, null, causal, keyPadding);
    }

    /**
     * As {@link #forward(Tensor, Tensor, boolean, Tensor)}, with memory's projections computed by {@code memoryMaps}
     * (null: the products; also x's when x is memory): the same values, computed another way.
     */
    Tensor forward(Tensor x, Tensor memory, Projections memoryMaps, boolean causal, Tensor keyPadding) {
        Tensor in = hook("hook_in", x);
        if (in != x) memoryMaps = null; // a hook changed the input: project what it returned
        if (memory == x) memory = in; // self-attention: keys and values see what the hook returned too
        boolean self = memory == in;
        x = in;
        Tensor w = p("in_proj_weight"), b = p("in_proj_bias");
        // three projections with slices of the packed weight: slicing the (small) weight instead of the (large)
        // projected activations keeps the backward pass free of activation-sized zero padding
        Tensor q = self && memoryMaps != null ? project(memoryMaps, w, b, 0) : project(x, w, b, 0); // (…, T, d)
        Tensor k = memoryMaps != null ? project(memoryMaps, w, b, 1) : project(memory, w, b, 1); // (…, S, d)
        Tensor v = memoryMaps != null ? project(memoryMaps, w, b, 2) : project(memory, w, b, 2);
        Tensor attendTo = keyPadding == null ? null : keyPadding.to(DType.F32).eq(Tensor.scalar(DType.F32, 0)); // (B, S)
        Tensor z = attend(q, k, v, 1 / Math.sqrt(d / heads()), null, causal, attendTo); // (…, T, d)
        return hook("hook_out", outProj.forward(z));
    }

    /** Projection {@code part} (0 = query, 1 = key, 2 = value) of x: (…, T, d) x (d, d)ᵀ -> (…, T, d). */
    private Tensor project(Tensor x, Tensor w, Tensor b, int part) {
        return project((wp, bp) -> Affine.apply(x, wp, bp, members), w, b, part);
    }

    private Tensor project(Projections maps, Tensor w, Tensor b, int part) {
        return maps.project(w.slice(-2, part * d, (part + 1) * d), b == null ? null : b.slice(-1, part * d, (part + 1) * d));
    }
}
