package org.biaslab.tensor;

import java.util.Arrays;

/**
 * Multi-head scaled dot-product attention as one op ({@link Tensor#attention}): the backend reads each head's columns
 * of q, k and v in place and writes z with the heads already merged, so neither pass permutes heads or runs
 * per-head GEMMs. The forward pass keeps the probabilities for the backward pass, unless the backend recomputes them
 * there ({@link Backend#recomputesProbabilities}); a backward pass that is itself recorded (second derivatives) becomes
 * one node of the tape with its own fused backward, {@link #doubleBackward}.
 */
final class FusedAttention {
    private FusedAttention() {}

    /** Whether {@link #apply} takes these tensors as they are (no broadcasting) and the backend takes their sizes. */
    static boolean fits(Tensor q, Tensor k, Tensor v, int heads) {
        return q.dtype() == k.dtype() && q.dtype() == v.dtype() && q.device() == k.device() && q.device() == v.device()
                && q.shape().rank() >= 2 && k.shape().equals(v.shape()) && sameOutsideSequence(q, k) && heads > 0
                && q.dim(-1) % heads == 0 && Kernels.of(q.device()).fitsAttention(q.dim(-2), k.dim(-2), q.dim(-1) / heads);
    }

    private static boolean sameOutsideSequence(Tensor q, Tensor k) {
        int r = q.shape().rank();
        if (k.shape().rank() != r || q.dim(-1) != k.dim(-1)) return false;
        for (int i = 0; i < r - 2; i++) if (q.dim(i) != k.dim(i)) return false;
        return true;
    }

    /** Room for the probabilities (…, H, T, S) of q (…, T, H·dh) against k (…, S, H·dh). */
    static Tensor probabilities(Tensor q, Tensor k, int heads) {
        int r = q.shape().rank();
        int[] dims = Arrays.copyOf(q.shape().dims(), r + 1);
        dims[r - 2] = heads;
        dims[r - 1] = q.dim(-2);
        dims[r] = k.dim(-2);
        return Tensor.uninitialised(q.dtype(), Shape.of(dims), q.device());
    }

    /** softmax(scale·q kᵀ) v per head: q (…, T, H·dh), k and v (…, S, H·dh) -> (…, T, H·dh). */
    static Tensor apply(Tensor q, Tensor k, Tensor v, int heads, double scale, boolean causal) {
        check(q, k, v, heads);
        Tensor z = Tensor.uninitialised(q.dtype(), q.shape(), q.device());
        // the probabilities are kept only for a backward pass that does not recompute them: a pass without gradients
        // (evaluation, measurement) does not write them
        Backend kernels = Kernels.of(q.device());
        boolean recorded = GradMode.isEnabled() && (q.requiresGrad() || k.requiresGrad() || v.requiresGrad());
        Tensor p = recorded && !kernels.recomputesProbabilities(q, k, heads) ? probabilities(q, k, heads) : null;
        kernels.attention(q, k, v, heads, scale, causal, z, p);
        return recorded ? Autograd.record("attention", z, g -> backward(g, q, k, v, p, heads, scale, causal), q, k, v) : z;
    }

    /**
     * dq, dk, dv by the fused kernel; recorded (second derivatives) as one node whose backward is {@link #doubleBackward}.
     * Keys and values that are one tensor (P1's readout query in its input's space) get dk + dv as one gradient, written
     * once by the kernel, where the pass is not recorded.
     */
    private static Tensor[] backward(Tensor g, Tensor q, Tensor k, Tensor v, Tensor p, int heads, double scale, boolean causal) {
        if (k == v && !GradMode.isEnabled()) {
            Tensor dq = Tensor.uninitialised(q.dtype(), q.shape(), q.device()), dkv = Tensor.uninitialised(k.dtype(), k.shape(), k.device());
            Kernels.of(q.device()).attentionBackward(g, q, k, v, p, heads, scale, causal, dq, dkv, null);
            return new Tensor[] {dq, dkv, null};
        }
        Tensor dq = Tensor.uninitialised(q.dtype(), q.shape(), q.device());
        Tensor dk = Tensor.uninitialised(k.dtype(), k.shape(), k.device()), dv = Tensor.uninitialised(v.dtype(), v.shape(), v.device());
        Kernels.of(q.device()).attentionBackward(g, q, k, v, p, heads, scale, causal, dq, dk, dv);
        Tensor[] out = {dq, dk, dv};
        Autograd.recordAll("attention_backward", out, c -> doubleBackward(c, g, q, k, v, p, heads, scale, causal), g, q, k, v);
        return out;
    }

    /**
     * The backward pass of {@link #backward}, one fused kernel. Per (item, head), with Q, G (T, dh), K, V (S, dh),
     * P = softmax(α Q Kᵀ) (T, S) masked as in the forward pass, that pass computes dP = G Vᵀ, ρ = rowsum(P ⊙ dP),
     * Δ = P ⊙ (dP − ρ), dQ = α Δ K, dK = α Δᵀ Q, dV = Pᵀ G. Given the cotangents A_q (T, dh), A_k, A_v (S, dh) of dQ,
     * dK, dV:
     * <pre>
     *   W = α (A_q Kᵀ + Q A_kᵀ)                          cotangent of Δ          (T, S)
     *   σ = rowsum(P ⊙ W),  E = P ⊙ (W − σ)              cotangent of dP         (T, S)
     *   U = G A_vᵀ + W ⊙ (dP − ρ) − σ ⊙ dP               cotangent of P          (T, S)
     *   Ψ = P ⊙ (U − rowsum(P ⊙ U))                      cotangent of the scores (T, S)
     *   ∂/∂G = P A_v + E V,   ∂/∂Q = α (Δ A_k + Ψ K),   ∂/∂K = α (Δᵀ A_q + Ψᵀ Q),   ∂/∂V = Eᵀ G
     * </pre>
     * (σ, ρ and the row sums broadcast along S). Masked keys have P = 0, so Δ, E and Ψ vanish there. Missing
     * cotangents count as zeros; third derivatives are not implemented.
     */
    private static Tensor[] doubleBackward(Tensor[] cot, Tensor g, Tensor q, Tensor k, Tensor v, Tensor saved, int heads,
                                           double scale, boolean causal) {
        if (GradMode.isEnabled()) throw new UnsupportedOperationException("attention: third derivatives are not implemented");
        Tensor p = saved;
        if (p == null) { // recomputed by the backward pass: the forward kernel writes them once more, with the same bits
            p = probabilities(q, k, heads);
            Kernels.of(q.device()).attention(q, k, v, heads, scale, causal, Tensor.uninitialised(q.dtype(), q.shape(), q.device()), p);
        }
        Tensor aq = NeuralOps.orZeros(cot[0], q), ak = NeuralOps.orZeros(cot[1], k), av = NeuralOps.orZeros(cot[2], v);
        Tensor gg = Tensor.empty(g.dtype(), g.shape(), g.device()), gq = Tensor.empty(q.dtype(), q.shape(), q.device());
        Tensor gk = Tensor.empty(k.dtype(), k.shape(), k.device()), gv = Tensor.empty(v.dtype(), v.shape(), v.device());
        Kernels.of(q.device()).attentionDoubleBackward(aq, ak, av, g, q, k, v, p, heads, scale, gg, gq, gk, gv);
        return new Tensor[] {gg, gq, gk, gv};
    }

    private static void check(Tensor q, Tensor k, Tensor v, int heads) {
        Tensor.checkCompatible("attention", q, k);
        Tensor.checkCompatible("attention", q, v);
        if (q.shape().rank() < 2) throw new ShapeException("attention: q must be (…, T, width), got " + q.shape());
        if (!k.shape().equals(v.shape())) throw new ShapeException("attention: k " + k.shape() + " and v " + v.shape() + " differ");
        if (!sameOutsideSequence(q, k)) throw new ShapeException("attention: q " + q.shape() + " and k " + k.shape() + " differ outside the sequence axis");
        if (heads < 1 || q.dim(-1) % heads != 0) {
            throw new IllegalArgumentException("attention: width " + q.dim(-1) + " is not divisible by " + heads + " heads");
        }
    }

    /** 1 where query i may not see key j > i + s − t (a suffix of the keys aligns with the queries). */
    static Tensor causalMask(int t, int s, DType dtype) {
        double[] m = new double[t * s];
        for (int i = 0; i < t; i++) for (int j = 0; j < s; j++) m[i * s + j] = j > i + (s - t) ? 1 : 0;
        return Tensor.of(m, t, s).to(dtype);
    }

    /** (…, T, H·dh) -> (…, H, T, dh). */
    static Tensor split(Tensor x, int heads) {
        int[] dims = x.shape().dims();
        int r = dims.length;
        if (r < 2 || heads < 1 || dims[r - 1] % heads != 0) {
            throw new IllegalArgumentException("attention: " + x.shape() + " does not split into " + heads + " heads");
        }
        int[] split = Arrays.copyOf(dims, r + 1);
        split[r - 1] = heads;
        split[r] = dims[r - 1] / heads;
        return x.reshape(split).transpose(-3, -2);
    }

    /** (…, H, T, dh) -> (…, T, H·dh). */
    static Tensor merge(Tensor z) {
        Tensor t = z.transpose(-3, -2); // (…, T, H, dh)
        int[] dims = t.shape().dims();
        int[] merged = Arrays.copyOf(dims, dims.length - 1);
        merged[merged.length - 1] = dims[dims.length - 2] * dims[dims.length - 1];
        return t.reshape(merged);
    }
}
