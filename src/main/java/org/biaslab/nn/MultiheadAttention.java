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
        return forward(x, memory, null, false, causal, keyPadding);
    }

    /**
     * As {@link #forward(Tensor, Tensor, boolean, Tensor)}, computed other ways with the same values: memory's projections
     * by {@code memoryMaps} (null: the products; also x's when x is memory), and with {@code inMemorySpace} one query
     * row over memory's rows without projecting them ({@link #oneQuery}).
     */
    Tensor forward(Tensor x, Tensor memory, Projections memoryMaps, boolean inMemorySpace, boolean causal, Tensor keyPadding) {
        return hook("hook_out", outProj.forward(mix(x, memory, memoryMaps, inMemorySpace, causal, keyPadding)));
    }

    /**
     * The heads' output before the output projection {@link #outProj} (…, T, d), as {@link #forward(Tensor, Tensor,
     * Projections, boolean, boolean, Tensor)} computes it: for a caller that joins the projection's bias to its next op,
     * where {@link #fusable}.
     */
    Tensor mix(Tensor x, Tensor memory, Projections memoryMaps, boolean inMemorySpace, boolean causal, Tensor keyPadding) {
        // a causal mask hides no key from one query that is the last; memory's rows are the d-wide heads' keys and
        // values (the fused kernel's room checked for as many queries as keys, at least the H heads' queries)
        if (inMemorySpace && x.dim(-2) == 1 && memory != x && keyPadding == null && !hooked("hook_in", "hook_out") && !headsHooked()
                && memory.dim(-2) >= heads() && Tensor.fitsFusedAttention(memory, memory, memory, 1)) {
            return oneQuery(x, memory);
        }
        Tensor in = hook("hook_in", x);
        if (in != x) memoryMaps = null; // a hook changed the input: project what it returned
        if (memory == x) memory = in; // self-attention: keys and values see what the hook returned too
        Projections xs = memory == in && memoryMaps != null ? memoryMaps : products(in);
        Projections ms = memoryMaps != null ? memoryMaps : products(memory);
        Tensor w = p("in_proj_weight"), b = p("in_proj_bias");
        // three projections with slices of the packed weight: slicing the (small) weight instead of the (large)
        // projected activations keeps the backward pass free of activation-sized zero padding
        Tensor q = project(xs, w, b, 0), k = project(ms, w, b, 1), v = project(ms, w, b, 2); // (…, T|S, d)
        Tensor attendTo = keyPadding == null ? null : keyPadding.to(DType.F32).eq(Tensor.scalar(DType.F32, 0)); // (B, S)
        return attend(q, k, v, 1 / Math.sqrt(d / heads()), null, causal, attendTo); // (…, T, d)
    }

    /** The output projection, applied to {@link #mix}. */
    Linear outProj() {
        return outProj;
    }

    /** Whether no hook sees the attention's output, so that the output projection's bias may join the next op. */
    boolean fusable() {
        return !hooked("hook_out") && outProj.fusable();
    }

    /**
     * The heads' output for one query row {@code x} (…, 1, d) over {@code memory} (…, S, d), before the output
     * projection, without projecting memory: per head h, q_h · (W_k,h m_s + b_k,h) = (W_k,hᵀ q_h) · m_s + q_h · b_k,h,
     * whose second term is the same for every key and drops out of the softmax, and Σ_s p_s (W_v,h m_s + b_v,h) =
     * W_v,h (Σ_s p_s m_s) + b_v,h. So each head attends with the d-wide query W_k,hᵀ q_h over memory's rows as keys and
     * values, and projects the mix by W_v,h once: d × d products for one row instead of 2·S rows. The same values up to
     * float rounding; the key bias gets no gradient (its exact gradient is 0: a softmax's input gradient sums to 0).
     */
    private Tensor oneQuery(Tensor x, Tensor memory) {
        int h = heads(), dh = d / h, s = memory.dim(-2);
        Tensor w = p("in_proj_weight"), b = p("in_proj_bias");
        Tensor q = project(products(x), w, b, 0); // (…, 1, d)
        int rows = members == 1 ? q.size() / d : q.size() / d / members; // N query rows per member
        int[] heads = members == 1 ? new int[] {h, dh, d} : new int[] {members, h, dh, d};
        int[] swap = members == 1 ? new int[] {1, 0, 2} : new int[] {0, 2, 1, 3}; // (N, H, ·) <-> (H, N, ·) per member
        Tensor wk = w.slice(-2, d, 2 * d).reshape(heads), wv = w.slice(-2, 2 * d, 3 * d).reshape(heads); // (E?, H, dh, d)
        Tensor qh = (members == 1 ? q.reshape(rows, h, dh) : q.reshape(members, rows, h, dh)).permute(swap); // (E?, H, N, dh)
        Tensor kq = qh.matmul(wk).permute(swap); // W_k,hᵀ q_h: (E?, H, N, dh) x (E?, H, dh, d) -> (E?, N, H, d)
        Tensor m = members == 1 ? memory.reshape(rows, s, d) : memory.reshape(members, rows, s, d); // (E?, N, S, d)
        double scale = 1 / Math.sqrt(dh);
        Tensor mix = Tensor.attention(kq, m, m, 1, scale, false); // Σ_s p_{h,s} m_s: (E?, N, H, d)
        Tensor z = mix.permute(swap).matmulT(wv).permute(swap); // W_v,h mix_h: (E?, H, N, d) x (E?, H, dh, d)ᵀ -> (E?, N, H, dh)
        z = members == 1 ? z.reshape(rows, d) : z.reshape(members, rows, d); // heads merged: (E?, N, d)
        if (b != null) {
            Tensor bv = b.slice(-1, 2 * d, 3 * d); // (E?, d)
            z = z.add(members == 1 ? bv : bv.reshape(members, 1, d));
        }
        return z.reshape(x.shape().dims()); // (…, 1, d)
    }

    /** x's maps as products over its rows: (…, T, d) x (d, d)ᵀ + b -> (…, T, d). */
    private Projections products(Tensor x) {
        return (w, b) -> Affine.apply(x, w, b, members);
    }

    /** Projection {@code part} (0 = query, 1 = key, 2 = value) of the input {@code maps} compute. */
    private Tensor project(Projections maps, Tensor w, Tensor b, int part) {
        return maps.project(w.slice(-2, part * d, (part + 1) * d), b == null ? null : b.slice(-1, part * d, (part + 1) * d));
    }
}
