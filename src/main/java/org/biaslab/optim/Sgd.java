package org.biaslab.optim;

import java.util.Map;
import java.util.SequencedMap;
import org.biaslab.tensor.InPlace;
import org.biaslab.tensor.Tensor;

/**
 * Stochastic gradient descent with the semantics of PyTorch's {@code torch.optim.SGD}: d = g + wd·p; with
 * momentum μ the buffer b starts as d and then follows b ← μb + (1 − dampening)d, and the step direction is b, or
 * d + μb with Nesterov; p ← p − lr·d. The state per parameter is {@code momentum_buffer} (none without momentum).
 */
public final class Sgd extends Optimizer<Tensor> {
    private final SgdConfig config;

    /** SGD over {@code params} with lr {@code config.lr()} × schedule. */
    public Sgd(SequencedMap<String, Tensor> params, SgdConfig config, Schedule schedule) {
        this(params, config, schedule, new double[] {config.lr()});
    }

    /** An ensemble's SGD: {@code memberLr[e]} replaces {@code config.lr()} for member e (axis 0 of every parameter). */
    public Sgd(SequencedMap<String, Tensor> params, SgdConfig config, Schedule schedule, double[] memberLr) {
        super("SGD", params, memberLr, schedule);
        this.config = config;
    }

    public SgdConfig config() {
        return config;
    }

    @Override
    Tensor update(Tensor p, Tensor g, Tensor buf, double[] lr) {
        boolean first = buf == null && config.momentum() != 0;
        if (first) buf = Tensor.zerosLike(p);
        InPlace.sgd(p, g, buf, lr, config.momentum(), config.dampening(), config.weightDecay(), config.nesterov(), first);
        return buf;
    }

    @Override
    void export(String param, Tensor buf, Map<String, Tensor> out) {
        if (buf != null) out.put("momentum_buffer." + param, copyOf(buf));
    }

    @Override
    Tensor read(String param, Tensor p, Map<String, Tensor> rest) {
        Tensor buf = takeLike(rest, "momentum_buffer." + param, p);
        if (buf != null && config.momentum() == 0) {
            throw new IllegalArgumentException("SGD.load: 'momentum_buffer." + param + "' is given but momentum is 0");
        }
        return buf;
    }
}
