package org.biaslab.optim;

import java.util.LinkedHashMap;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/** Test helpers: parameters with chosen gradients. */
final class Fixtures {
    private Fixtures() {}

    /** Makes {@code g} the gradient of leaf {@code p}: the gradient of Σ p ⊙ g is exactly g. */
    static void setGrad(Tensor p, Tensor g) {
        p.zeroGrad();
        p.mul(g).sum().backward();
    }

    /** Named parameters from alternating names and tensors, each marked as requiring a gradient. */
    static LinkedHashMap<String, Tensor> named(Object... nameThenTensor) {
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenTensor.length; i += 2) {
            m.put((String) nameThenTensor[i], ((Tensor) nameThenTensor[i + 1]).requiresGrad(true));
        }
        return m;
    }

    static Tensor randn(long seed, DType dtype, int... dims) {
        return Tensor.randn(new Rng(seed), dtype, dims);
    }

    /** A fresh leaf with t's values (a parameter reloaded from a checkpoint). */
    static Tensor copy(Tensor t) {
        return t.dtype() == DType.F32 ? Tensor.of(t.toFloatArray(), t.shape().dims()) : Tensor.of(t.toDoubleArray(), t.shape().dims());
    }
}
