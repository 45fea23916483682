package org.biaslab.nn;

import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;

/**
 * Multi-head scaled dot-product attention, PyTorch's {@code nn.MultiheadAttention} with a packed
 * {@code in_proj_weight} (3d, d) (Xavier-uniform), {@code in_proj_bias} (3d) = 0 and {@code out_proj} (Linear,
 * bias 0). Scores are scaled by 1/√d_head. Hook points: {@code hook_q}, {@code hook_k}, {@code hook_v}
 * (…, H, T, d_head), {@code hook_scores} (…, H, T, S) after scaling and masking, {@code hook_pattern} (the
 * attention probabilities), {@code hook_z} (…, H, T, d_head) the per-head mix of values before {@code out_proj}.
 */
public final class MultiheadAttention extends Module {
    private final int d, heads;
    private final Linear outProj;

    public MultiheadAttention(int d, int heads, boolean bias, Init init) {
        super(init.members());
        if (d % heads != 0) throw new IllegalArgumentException("attention: d = " + d + " is not divisible by " + heads + " heads");
        this.d = d;
        this.heads = heads;
        register("in_proj_weight", init.xavierUniform(3 * d, d));
        if (bias) register("in_proj_bias", init.constant(0, 3 * d));
        outProj = child("out_proj", new Linear(d, d, bias, init));
        if (bias) outProj.load(java.util.Map.of("weight", outProj.p("weight"), "bias", init.constant(0, d)));
    }

    public int heads() {
        return heads;
    }

    /**
     * Attention of queries from {@code x} (…, T, d) over keys and values from {@code memory} (…, S, d) (pass x for
     * self-attention). {@code causal} masks later positions; {@code keyPadding} (B, S), non-zero at padded keys, may
     * be null.
     */
    public Tensor forward(Tensor x, Tensor memory, boolean causal, Tensor keyPadding) {
        Tensor in = hook("hook_in", x);
        if (memory == x) memory = in; // self-attention: keys and values see what the hook returned too
        x = in;
        Tensor w = p("in_proj_weight"), b = p("in_proj_bias");
        // three projections with slices of the packed weight: slicing the (small) weight instead of the (large)
        // projected activations keeps the backward pass free of activation-sized zero padding
        Tensor q = project(x, w, b, 0), k = project(memory, w, b, 1), v = project(memory, w, b, 2);
        q = hook("hook_q", splitHeads(q)); // (…, H, T, dh)
        k = hook("hook_k", splitHeads(k)); // (…, H, S, dh)
        v = hook("hook_v", splitHeads(v));
        Tensor scores = q.matmulT(k).mul(1 / Math.sqrt(d / heads)); // (…, H, T, dh) x (…, H, S, dh)ᵀ -> (…, H, T, S)
        int t = scores.dim(-2), s = scores.dim(-1);
        if (causal) scores = scores.maskedFill(causalMask(t, s, scores.dtype()), Double.NEGATIVE_INFINITY);
        if (keyPadding != null) {
            // (B, S) -> (B, 1, 1, S): broadcast over heads and query positions
            scores = scores.maskedFill(keyPadding.to(scores.dtype()).reshape(keyPadding.dim(0), 1, 1, s), Double.NEGATIVE_INFINITY);
        }
        scores = hook("hook_scores", scores);
        Tensor pattern = hook("hook_pattern", scores.softmax(-1));
        Tensor z = hook("hook_z", pattern.matmul(v)); // (…, H, T, S) x (…, H, S, dh) -> (…, H, T, dh)
        return hook("hook_out", outProj.forward(mergeHeads(z)));
    }

    /** Projection {@code part} (0 = query, 1 = key, 2 = value) of x: (…, T, d) x (d, d)ᵀ -> (…, T, d). */
    private Tensor project(Tensor x, Tensor w, Tensor b, int part) {
        return Affine.apply(x, w.slice(-2, part * d, (part + 1) * d), b == null ? null : b.slice(-1, part * d, (part + 1) * d), members);
    }

    /** (…, T, d) -> (…, H, T, dh). */
    private Tensor splitHeads(Tensor x) {
        int[] dims = x.shape().dims();
        int r = dims.length;
        int[] split = java.util.Arrays.copyOf(dims, r + 1);
        split[r - 1] = heads;
        split[r] = d / heads;
        return x.reshape(split).transpose(-3, -2);
    }

    /** (…, H, T, dh) -> (…, T, d). */
    private Tensor mergeHeads(Tensor z) {
        Tensor t = z.transpose(-3, -2); // (…, T, H, dh)
        int[] dims = t.shape().dims();
        int[] merged = java.util.Arrays.copyOf(dims, dims.length - 1);
        merged[merged.length - 1] = d;
        return t.reshape(merged);
    }

    /** 1 where query i may not see key j > i (+ s − t, so a suffix of keys aligns with the queries). */
    static Tensor causalMask(int t, int s, DType dtype) {
        double[] m = new double[t * s];
        for (int i = 0; i < t; i++) for (int j = 0; j < s; j++) m[i * s + j] = j > i + (s - t) ? 1 : 0;
        return Tensor.of(m, t, s).to(dtype);
    }
}
