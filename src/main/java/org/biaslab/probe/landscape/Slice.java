package org.biaslab.probe.landscape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * A line or plane through a model's parameter space, θ(α, β) = base(α) + β·η, with base(α) = θ + α·δ (a direction
 * δ) or base(α) = (1 − α)·θ + α·θ_B (the interpolation to another model's parameters θ_B; exactly θ at α = 0 and
 * θ_B at α = 1). θ are the model's parameters when the slice is made; the term β·η is left out at β = 0, so a
 * plane's row β = 0 is its line. Points are computed in the parameters' dtype on their device.
 */
public final class Slice {
    private final Module model;
    private final LinkedHashMap<String, Tensor> theta;
    private final Map<String, Tensor> delta, target, eta;

    private Slice(Module model, Map<String, Tensor> delta, Map<String, Tensor> target, Map<String, Tensor> eta) {
        if (model.members() != 1) throw new IllegalArgumentException("landscape: needs a single model, got an ensemble of " + model.members());
        this.model = model;
        this.theta = model.namedParameters();
        this.delta = delta == null ? null : like(delta, "the direction δ");
        this.target = target == null ? null : like(target, "the other model");
        this.eta = eta == null ? null : like(eta, "the direction η");
    }

    /** θ + α·δ, plus β·η when {@code eta} is not null (the random directions of Li et al.). */
    public static Slice along(Module model, Map<String, Tensor> delta, Map<String, Tensor> eta) {
        return new Slice(model, delta, null, eta);
    }

    /** (1 − α)·θ + α·θ_B, plus β·η when {@code eta} is not null; θ_B are another model's parameters by name. */
    public static Slice between(Module model, Map<String, Tensor> thetaB, Map<String, Tensor> eta) {
        return new Slice(model, null, thetaB, eta);
    }

    /** Whether the slice is a plane (has a second direction η). */
    public boolean planar() {
        return eta != null;
    }

    /** The parameters θ(α, β) by name (β must be 0 on a line). */
    public LinkedHashMap<String, Tensor> parameters(double alpha, double beta) {
        if (eta == null && beta != 0) throw new IllegalArgumentException("landscape: a line has no β, got " + beta);
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        for (var e : theta.entrySet()) {
            Tensor w = e.getValue().detach();
            String name = e.getKey();
            Tensor p = delta != null
                    ? w.add(delta.get(name).mul(alpha))                            // θ + α·δ
                    : w.mul(1 - alpha).add(target.get(name).mul(alpha));           // (1 − α)·θ + α·θ_B
            if (beta != 0) p = p.add(eta.get(name).mul(beta));                      // + β·η
            out.put(name, p);
        }
        return out;
    }

    /**
     * {@code objective} at θ(α, β): the point's parameters are put in the model, evaluated, and θ's own tensors put
     * back (also on an exception), so the model is bit for bit as before.
     */
    public Evaluation evaluate(double alpha, double beta, Supplier<Evaluation> objective) {
        Map<String, Tensor> point = parameters(alpha, beta);
        try {
            for (var e : point.entrySet()) model.swapParameter(e.getKey(), e.getValue());
            return objective.get();
        } finally {
            for (var e : theta.entrySet()) model.swapParameter(e.getKey(), e.getValue());
        }
    }

    /** {@code values} on θ's devices and in its dtypes, checked to have θ's names and shapes. */
    private Map<String, Tensor> like(Map<String, Tensor> values, String what) {
        for (String name : values.keySet()) {
            if (!theta.containsKey(name)) throw new IllegalArgumentException(what + " has a parameter '" + name + "' that the model has not");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : theta.entrySet()) {
            Tensor v = values.get(e.getKey());
            if (v == null) throw new IllegalArgumentException(what + " has no parameter '" + e.getKey() + "'");
            if (!v.shape().equals(e.getValue().shape())) {
                throw new IllegalArgumentException(what + " has '" + e.getKey() + "' of shape " + v.shape() + ", the model " + e.getValue().shape());
            }
            out.put(e.getKey(), v.detach().to(e.getValue().dtype()).to(e.getValue().device()));
        }
        return out;
    }
}
