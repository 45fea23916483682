package org.biaslab.optim;

import static org.biaslab.optim.Fixtures.named;
import static org.biaslab.optim.Fixtures.randn;
import static org.biaslab.optim.Fixtures.setGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SgdTest {
    /** PyTorch's SGD (torch/optim/sgd.py) for one parameter, written out in double. */
    private static double[] byFormula(double[] p0, double[][] grads, SgdConfig c) {
        double[] p = p0.clone(), buf = null;
        for (double[] g0 : grads) {
            double[] d = g0.clone();
            for (int i = 0; i < p.length; i++) d[i] += c.weightDecay() * p[i];
            if (c.momentum() != 0) {
                if (buf == null) {
                    buf = d.clone();
                } else {
                    for (int i = 0; i < p.length; i++) buf[i] = c.momentum() * buf[i] + (1 - c.dampening()) * d[i];
                }
                for (int i = 0; i < p.length; i++) d[i] = c.nesterov() ? d[i] + c.momentum() * buf[i] : buf[i];
            }
            for (int i = 0; i < p.length; i++) p[i] -= c.lr() * d[i];
        }
        return p;
    }

    @Test
    void matchesPyTorchsFormula() {
        SgdConfig[] configs = {SgdConfig.plain(0.1), new SgdConfig(0.05, 0.9, 0, 0.01, false),
                new SgdConfig(0.05, 0.9, 0.5, 0.01, false), new SgdConfig(0.05, 0.9, 0, 0.01, true)};
        for (SgdConfig config : configs) {
            for (DType dtype : new DType[] {DType.F64, DType.F32}) {
                Tensor w = randn(1, dtype, 4, 5);
                double[] w0 = w.toDoubleArray();
                double[][] grads = new double[5][];
                Sgd opt = new Sgd(named("w", w), config, Schedule.constant());
                for (int k = 0; k < grads.length; k++) {
                    Tensor g = randn(10 + k, dtype, 4, 5);
                    setGrad(w, g);
                    grads[k] = g.toDoubleArray();
                    opt.step();
                }
                double[] expected = byFormula(w0, grads, config);
                double tol = dtype == DType.F64 ? 1e-14 : 2e-6;
                for (int i = 0; i < expected.length; i++) assertEquals(expected[i], w.get(i), tol, config + " " + dtype + " element " + i);
            }
        }
    }

    @Test
    void nesterovNeedsMomentumAndNoDampening() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SgdConfig(0.1, 0.9, 0.1, 0, true));
        assertEquals("SGD: Nesterov momentum requires a momentum and zero dampening (momentum 0.9, dampening 0.1)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SgdConfig(0.1, 0, 0, 0, true));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SgdConfig.plain(Double.NaN)).getMessage().contains("lr"));
    }
}
