package org.biaslab.probe.curvature;

import java.util.function.IntFunction;
import org.biaslab.tensor.Autograd;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * A curvature matrix of a model's loss over a parameter group, averaged over K batches, as a {@link LinearOperator}:
 * C v = (1/K) Σ_k C_k v, each product exact through the engine's autodiff, for every ensemble member in one pass
 * (members' losses are summed; they share no parameters, so the matrix is block-diagonal by member).
 * <ul>
 * <li>{@link #hessian}: H_k v = ∇_θ (∇_θ L_k · v), a double backward.</li>
 * <li>{@link #gaussNewton}: for the MSE L = (1/N) Σ_i (f_i − y_i)², G_k v = (2/N) Jᵀ (J v) with J = ∂f/∂θ; J v comes from
 * differentiating Jᵀu with respect to a dummy u (two reverse passes), Jᵀ(Jv) from a third.</li>
 * </ul>
 * With one batch the gradient graph is built once and reused, so a product costs one pass through it; with several,
 * each product rebuilds each batch's graph in turn (memory for one batch only). The operator is for the parameters
 * the model holds when it is first applied.
 */
public final class CurvatureOperator implements LinearOperator {
    /** One batch's recorded graph, multiplying parameter-shaped tensors by C_k. */
    private interface BatchGraph {
        Tensor[] times(Tensor[] v, boolean retain);
    }

    private final ParameterGroup group;
    private final IntFunction<BatchGraph> build;
    private final int batches;
    private BatchGraph kept;
    private long products;

    private CurvatureOperator(ParameterGroup group, int batches, IntFunction<BatchGraph> build) {
        if (batches < 1) throw new IllegalArgumentException("curvature: needs at least one batch, got " + batches);
        this.group = group;
        this.batches = batches;
        this.build = build;
    }

    /**
     * The Hessian of the loss over {@code group}; {@code loss.apply(k)} evaluates batch k's loss at the model's current
     * parameters: a scalar for one model, (E) for an ensemble.
     */
    public static CurvatureOperator hessian(ParameterGroup group, IntFunction<Tensor> loss, int batches) {
        return new CurvatureOperator(group, batches, k -> {
            Tensor[] params = group.tensors();
            Tensor[] grad = Autograd.grad(memberSum(loss.apply(k), group.members()), params, null, true);
            return (v, retain) -> Autograd.grad(grad, v, params, false, retain); // ∇_θ Σ_i ⟨∇_θ_i L, v_i⟩
        });
    }

    /**
     * The Gauss-Newton matrix of the mean squared error over {@code group}; {@code predictions.apply(k)} evaluates the
     * model's outputs on batch k ((E, …) for an ensemble: member e's N outputs form row e).
     */
    public static CurvatureOperator gaussNewton(ParameterGroup group, IntFunction<Tensor> predictions, int batches) {
        return new CurvatureOperator(group, batches, k -> {
            Tensor[] params = group.tensors();
            Tensor f = predictions.apply(k);
            if (f.size() % group.members() != 0) throw new IllegalArgumentException("gauss-newton: " + f.size() + " outputs for " + group.members() + " members");
            double scale = 2.0 * group.members() / f.size(); // 2/N with N outputs per member
            Tensor u = Tensor.zerosLike(f).requiresGrad(true);
            Tensor[] jtu = Autograd.grad(f.mul(u).sum(), params, null, true); // Jᵀu, linear in u
            return (v, retain) -> {
                Tensor jv = Autograd.grad(jtu, v, new Tensor[] {u}, false, true)[0]; // J v = ∇_u ⟨Jᵀu, v⟩, shaped like f
                Tensor[] g = Autograd.grad(f.mul(jv).sum(), params, null, false, retain); // Jᵀ (J v)
                for (int i = 0; i < g.length; i++) g[i] = g[i].mul(scale);
                return g;
            };
        });
    }

    private static Tensor memberSum(Tensor loss, int members) {
        if (loss.size() != members) throw new IllegalArgumentException("curvature: the loss has " + loss.size() + " values for " + members + " members");
        return loss.sum();
    }

    @Override
    public int members() {
        return group.members();
    }

    @Override
    public int dim() {
        return group.dim();
    }

    @Override
    public double[][] apply(double[][] v) {
        Tensor[] vt = group.unflatten(v);
        Tensor[] sum = null;
        for (int k = 0; k < batches; k++) {
            Tensor[] c;
            if (batches == 1) {
                c = timesKept(vt);
            } else {
                try (var on = GradMode.on()) {
                    c = build.apply(k).times(vt, false);
                }
            }
            if (sum == null) {
                sum = c;
            } else {
                for (int i = 0; i < c.length; i++) sum[i] = sum[i].add(c[i]);
            }
        }
        products++;
        double[][] out = group.flatten(sum);
        if (batches > 1) for (double[] x : out) for (int i = 0; i < x.length; i++) x[i] /= batches;
        return out;
    }

    /** C v for tensors shaped like the parameters, through the one batch's graph (recorded on first use and kept). */
    Tensor[] timesKept(Tensor[] v) {
        if (batches != 1) throw new IllegalStateException("curvature: a kept graph needs one batch, the operator has " + batches);
        try (var on = GradMode.on()) {
            if (kept == null) kept = build.apply(0);
            return kept.times(v, true);
        }
    }

    /** Products C v taken so far (each one product per member, over all K batches). */
    public long products() {
        return products;
    }

    /** The parameter group the operator acts on. */
    public ParameterGroup group() {
        return group;
    }
}
