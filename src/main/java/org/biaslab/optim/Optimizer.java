package org.biaslab.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.InPlace;
import org.biaslab.tensor.Tensor;

/**
 * What {@link AdamW} and {@link Sgd} share: named parameters (PyTorch-style names such as
 * {@code encoder.layers.0.linear1.weight}, in the map's order), learning rates under a {@link Schedule}, the step
 * count, and state export and import for exact resume.
 *
 * <p>Ensembles: parameters of E members trained as one model carry the member axis first, shape (E, ...), and
 * may take E learning rates, member e using {@code lr[e]}. Members then evolve exactly as E separate runs.
 *
 * @param <S> the optimiser's per-parameter state
 */
public abstract sealed class Optimizer<S> permits AdamW, Sgd {
    private final String name;
    private final SequencedMap<String, Tensor> params;
    private final double[] lr;
    private final Schedule schedule;
    private final Map<String, S> state = new LinkedHashMap<>();
    private long step;

    Optimizer(String name, SequencedMap<String, Tensor> params, double[] lr, Schedule schedule) {
        this.name = name;
        if (params.isEmpty()) throw new IllegalArgumentException(name + ": got an empty parameter list");
        if (lr.length == 0) throw new IllegalArgumentException(name + ": needs one learning rate, or one per ensemble member");
        for (double r : lr) Checks.nonNegative(name, "lr", r);
        List<String> names = new ArrayList<>(params.keySet());
        for (int i = 0; i < names.size(); i++) {
            Tensor p = params.get(names.get(i));
            if (!p.dtype().isFloating()) throw new IllegalArgumentException(name + ": parameter '" + names.get(i) + "' is " + p.dtype());
            if (lr.length > 1 && (p.shape().rank() == 0 || p.dim(0) != lr.length)) {
                throw new IllegalArgumentException(name + ": parameter '" + names.get(i) + "' of shape " + p.shape() + " has no member axis of size "
                        + lr.length + " for " + lr.length + " learning rates (ensemble parameters carry the member axis first)");
            }
            for (int j = 0; j < i; j++) {
                if (InPlace.sharesStorage(p, params.get(names.get(j)))) {
                    throw new IllegalArgumentException(name + ": parameters '" + names.get(j) + "' and '" + names.get(i)
                            + "' share storage; list a tied parameter once");
                }
            }
        }
        this.params = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(params));
        this.lr = lr.clone();
        this.schedule = schedule;
    }

    /** Updates every parameter that has a gradient, in place; parameters whose gradient is null are skipped. */
    public final void step() {
        double[] rates = lr();
        for (var e : params.entrySet()) {
            Tensor g = e.getValue().grad();
            if (g != null) state.put(e.getKey(), update(e.getValue(), g, state.get(e.getKey()), rates));
        }
        updated(rates);
        step++;
    }

    /** The learning rates of the next update: base lr × schedule factor, one per member (or one for all). */
    public final double[] lr() {
        double f = schedule.factor(step);
        if (!(f >= 0) || Double.isInfinite(f)) throw new IllegalStateException(name + ": the schedule gave factor " + f + " at step " + step);
        double[] r = new double[lr.length];
        for (int i = 0; i < r.length; i++) r[i] = lr[i] * f;
        return r;
    }

    /** Number of updates made so far. */
    public final long steps() {
        return step;
    }

    /** The parameters, by name, in update order. */
    public final SequencedMap<String, Tensor> params() {
        return params;
    }

    /** Drops every parameter's gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public final void zeroGrad() {
        for (Tensor p : params.values()) p.zeroGrad();
    }

    /**
     * A copy of the state that determines every later update: {@code step} (a float64 scalar) and the optimiser's
     * per-parameter tensors named {@code <key>.<parameter>}, ready to be saved beside a checkpoint's weights.
     */
    public final Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("step", Tensor.scalar(DType.F64, step));
        state.forEach((param, s) -> export(param, s, out));
        return out;
    }

    /**
     * Replaces this optimiser's state with one exported by {@link #state()} from an optimiser over parameters of
     * the same names, shapes and dtypes. On any mismatch it throws naming the tensor and changes nothing.
     */
    public final void load(Map<String, Tensor> saved) {
        Map<String, Tensor> rest = new LinkedHashMap<>(saved);
        long loadedStep = takeCount(rest, "step", true);
        Map<String, S> loaded = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            S s = read(e.getKey(), e.getValue(), rest);
            if (s != null) loaded.put(e.getKey(), s);
        }
        if (!rest.isEmpty()) {
            throw new IllegalArgumentException(name + ".load: unexpected state tensor '" + rest.keySet().iterator().next()
                    + "' (no such state key or parameter)");
        }
        step = loadedStep;
        state.clear();
        state.putAll(loaded);
    }

    /**
     * Applies one update to p with gradient g and state s (null before p's first update), or queues it until
     * {@link #updated}; returns the new state.
     */
    abstract S update(Tensor p, Tensor g, S s, double[] lr);

    /** After every parameter's {@link #update} of a step: an optimiser that queued them applies them here. */
    void updated(double[] lr) {}

    /** Adds the state of one parameter to {@code out} as {@code <key>.<param>} entries. */
    abstract void export(String param, S s, Map<String, Tensor> out);

    /** Takes the entries of {@code param} out of {@code rest}: its state, or null when it has none yet. */
    abstract S read(String param, Tensor p, Map<String, Tensor> rest);

    /**
     * Removes {@code key} from rest and returns a copy on p's device (a checkpoint is read on the host), checked to have
     * p's shape and dtype, or null when absent.
     */
    final Tensor takeLike(Map<String, Tensor> rest, String key, Tensor p) {
        Tensor t = rest.remove(key);
        if (t == null) return null;
        if (!t.shape().equals(p.shape()) || t.dtype() != p.dtype()) {
            throw new IllegalArgumentException(name + ".load: '" + key + "' is " + t.dtype() + " " + t.shape()
                    + " but the parameter is " + p.dtype() + " " + p.shape());
        }
        return copyOf(t.to(p.device()));
    }

    /** A fresh tensor with t's values, so that exported and loaded state never aliases the caller's tensors. */
    static Tensor copyOf(Tensor t) {
        Tensor c = Tensor.zerosLike(t);
        InPlace.copy(c, t);
        return c;
    }

    /** Removes a count stored as a one-element tensor holding a non-negative integer; −1 when absent and optional. */
    final long takeCount(Map<String, Tensor> rest, String key, boolean required) {
        Tensor t = rest.remove(key);
        if (t == null) {
            if (required) throw new IllegalArgumentException(name + ".load: '" + key + "' is missing");
            return -1;
        }
        double v = t.size() == 1 ? t.item() : Double.NaN;
        if (!(v >= 0 && v <= 0x1p53 && v == Math.rint(v))) {
            throw new IllegalArgumentException(name + ".load: '" + key + "' must hold one non-negative integer, got " + t);
        }
        return (long) v;
    }

    /** Throws naming the first missing key when only some of a parameter's state keys are present. */
    final void requireAllOrNone(String param, String[] keys, Object... values) {
        int present = 0;
        for (Object v : values) if (v != null) present++;
        if (present == 0 || present == values.length) return;
        for (int i = 0; i < keys.length; i++) {
            if (values[i] == null) {
                throw new IllegalArgumentException(name + ".load: '" + keys[i] + "." + param + "' is missing while other state of '" + param + "' is present");
            }
        }
    }
}
