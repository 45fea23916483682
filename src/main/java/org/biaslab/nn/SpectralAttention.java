package org.biaslab.nn;

import org.biaslab.tensor.Tensor;

/**
 * Self-attention whose value–output map per head is symmetric with a constrained spectrum (Dovonon, Bronstein and
 * Kusner 2024): H_h = V_h Λ_h V_hᵀ with V_h = QR(Θ_h).Q, recomputed in every forward pass so that gradients reach
 * Θ_h through the QR decomposition, and Λ_h = diag(λ(ψ_h)) from {@link Spectrum}. The output is
 * Σ_h A_h X H_h + b, A_h = softmax(q_h k_hᵀ/√d_head) from ordinary query and key projections {@code attention.query},
 * {@code attention.key} (biases with {@code qkvBias}); parameters {@code theta} (H, d, d), {@code psi} (H, d) and the
 * output {@code bias} (d), with a leading E for an ensemble.
 * <p>
 * Initialisation: Θ ~ N(0, 1), so that V is a Haar-random orthogonal matrix; ψ = ±√u with u ~ U(0, 1), so that the
 * eigenvalues start uniform on [0, 1] ("+") or [−1, 0] ("−"); b = 0; the projections as {@link Linear}.
 * Hook points: {@code hook_in}, {@code hook_out}, and those of {@link AttentionHeads}, where {@code hook_v} is X H_h
 * (…, H, T, d) and {@code hook_z} is A_h X H_h.
 */
public final class SpectralAttention extends SelfAttention {
    private final int d;
    private final double scale;
    private final Spectrum spectrum;
    private final Linear query, key;

    public SpectralAttention(int d, int heads, boolean qkBias, Spectrum spectrum, Init init) {
        super(heads, init.members());
        if (d % heads != 0) throw new IllegalArgumentException("attention: d = " + d + " is not divisible by " + heads + " heads");
        this.d = d;
        this.spectrum = spectrum;
        scale = 1 / Math.sqrt(d / heads);
        query = child("attention.query", new Linear(d, d, qkBias, init));
        key = child("attention.key", new Linear(d, d, qkBias, init));
        register("theta", init.normal(1, heads, d, d));
        Tensor u = init.uniform(1, heads, d); // ±u, u ~ U(0, 1)
        register("psi", u.sign().mul(u.abs().sqrt()));
        register("bias", init.constant(0, d));
    }

    public Spectrum spectrum() {
        return spectrum;
    }

    /** The eigenvalues λ of each head's H_h, (H, d) or (E, H, d). */
    public Tensor eigenvalues() {
        return spectrum.eigenvalues(p("psi"));
    }

    /** H_h = V_h Λ_h V_hᵀ, (H, d, d) or (E, H, d, d); differentiable in Θ and ψ. */
    @Override
    public Tensor valueOutputMaps() {
        Tensor v = p("theta").qr().q(); // (…, H, d, d), orthogonal
        return v.mul(eigenvalues().unsqueeze(-2)).matmulT(v); // (…, H, d, d) ⊙ (…, H, 1, d) x (…, H, d, d)ᵀ -> (…, H, d, d)
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor in = hook("hook_in", x);
        int h = heads();
        Tensor maps = valueOutputMaps();
        // the heads' maps side by side, (…, d, H·d), so that X H_h for all heads is one product
        Tensor side = members == 1 ? maps.permute(1, 0, 2).reshape(d, h * d) : maps.permute(0, 2, 1, 3).reshape(members, d, h * d);
        int[] dims = in.shape().dims();
        dims[dims.length - 1] = h * d;
        Tensor rows = members == 1 ? in.reshape(-1, d) : in.reshape(members, -1, d);
        Tensor xh = rows.matmul(side).reshape(dims); // (…, N, d) x (…, d, H·d) -> (…, T, H·d)
        Tensor z = attend(query.forward(in), key.forward(in), xh, scale, null, false, null); // (…, T, H·d)
        int[] split = java.util.Arrays.copyOf(dims, dims.length + 1);
        split[dims.length - 1] = h;
        split[dims.length] = d;
        Tensor out = z.reshape(split).sum(false, -2); // Σ_h: (…, T, H, d) -> (…, T, d)
        dims[dims.length - 1] = d;
        out = members == 1 ? out.reshape(-1, d).add(p("bias")) : out.reshape(members, -1, d).add(p("bias").reshape(members, 1, d));
        return hook("hook_out", out.reshape(dims));
    }
}
