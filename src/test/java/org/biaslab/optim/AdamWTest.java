package org.biaslab.optim;

import static org.biaslab.optim.Fixtures.named;
import static org.biaslab.optim.Fixtures.randn;
import static org.biaslab.optim.Fixtures.setGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AdamWTest {
    /**
     * PyTorch's AdamW for one parameter, written out in double: lrs[k] is the learning rate of optimiser step k, and
     * the parameter only takes part in the steps where grads[k] is not null (its own count t then advances).
     */
    private static double[] byFormula(double[] p0, double[][] grads, double[] lrs, AdamWConfig c) {
        double[] p = p0.clone(), m = new double[p.length], v = new double[p.length];
        int t = 0;
        for (int k = 0; k < grads.length; k++) {
            if (grads[k] == null) continue;
            t++;
            for (int i = 0; i < p.length; i++) {
                double g = grads[k][i];
                p[i] *= 1 - lrs[k] * c.weightDecay();
                m[i] = c.beta1() * m[i] + (1 - c.beta1()) * g;
                v[i] = c.beta2() * v[i] + (1 - c.beta2()) * g * g;
                double mHat = m[i] / (1 - Math.pow(c.beta1(), t)), vHat = v[i] / (1 - Math.pow(c.beta2(), t));
                p[i] -= lrs[k] * mHat / (Math.sqrt(vHat) + c.eps());
            }
        }
        return p;
    }

    @Test
    void matchesPyTorchsFormulaUnderAScheduleWithASkippedParameter() {
        AdamWConfig config = new AdamWConfig(0.05, 0.9, 0.99, 1e-8, 0.1);
        int steps = 6;
        Schedule schedule = Schedule.parse("cosine:0.1:2", steps);
        double[] lrs = new double[steps];
        for (int k = 0; k < steps; k++) lrs[k] = config.lr() * schedule.factor(k);
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            Tensor w = randn(1, dtype, 2, 3), b = randn(2, dtype, 3);
            double[] w0 = w.toDoubleArray(), b0 = b.toDoubleArray();
            double[][] gw = new double[steps][], gb = new double[steps][];
            AdamW opt = new AdamW(named("layer.weight", w, "layer.bias", b), config, schedule);
            for (int k = 0; k < steps; k++) {
                Tensor g = randn(10 + k, dtype, 2, 3);
                setGrad(w, g);
                gw[k] = g.toDoubleArray();
                b.zeroGrad();
                if (k % 3 != 1) {   // the bias gets no gradient at steps 1 and 4
                    Tensor h = randn(20 + k, dtype, 3).mul(3.0);
                    setGrad(b, h);
                    gb[k] = h.toDoubleArray();
                }
                opt.step();
            }
            assertEquals(steps, opt.steps());
            assertEquals(4, opt.state().get("step.layer.bias").item());
            double tol = dtype == DType.F64 ? 1e-14 : 2e-6;
            double[] ew = byFormula(w0, gw, lrs, config), eb = byFormula(b0, gb, lrs, config);
            for (int i = 0; i < ew.length; i++) assertEquals(ew[i], w.get(i), tol, dtype + " weight " + i);
            for (int i = 0; i < eb.length; i++) assertEquals(eb[i], b.get(i), tol, dtype + " bias " + i);
        }
    }

    @Test
    void defaultsAreTorchsAndP1s() {
        assertEquals(new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 0.01), AdamWConfig.PYTORCH);
        assertEquals(new AdamWConfig(3e-4, 0.9, 0.999, 1e-8, 0.1), AdamWConfig.P1);
    }

    @Test
    void zeroGradDropsEveryGradient() {
        Tensor w = Tensor.zeros(2);
        AdamW opt = new AdamW(named("w", w), AdamWConfig.PYTORCH, Schedule.constant());
        setGrad(w, Tensor.of(new float[] {1, 2}, 2));
        opt.zeroGrad();
        assertEquals(null, w.grad());
        opt.step();   // no gradient: nothing moves, but the step counts for the schedule
        assertEquals(0, w.get(0));
        assertEquals(1, opt.steps());
        assertEquals(1, opt.state().size());
    }

    private static String configError(double lr, double beta1, double beta2, double eps, double wd) {
        return assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(lr, beta1, beta2, eps, wd)).getMessage();
    }

    @Test
    void badHyperparametersAreRejected() {
        assertEquals("AdamW: lr must be a finite number ≥ 0, got NaN", configError(Double.NaN, 0.9, 0.999, 1e-8, 0));
        assertEquals("AdamW: lr must be a finite number ≥ 0, got -0.1", configError(-0.1, 0.9, 0.999, 1e-8, 0));
        assertEquals("AdamW: beta1 must be in [0, 1), got 1.0", configError(1e-3, 1, 0.999, 1e-8, 0));
        assertEquals("AdamW: beta2 must be in [0, 1), got -0.5", configError(1e-3, 0.9, -0.5, 1e-8, 0));
        assertEquals("AdamW: eps must be a finite number ≥ 0, got -1.0E-8", configError(1e-3, 0.9, 0.999, -1e-8, 0));
        assertEquals("AdamW: weight_decay must be a finite number ≥ 0, got Infinity", configError(1e-3, 0.9, 0.999, 1e-8, Double.POSITIVE_INFINITY));
    }

    @Test
    void badParameterListsAreRejected() {
        var empty = assertThrows(IllegalArgumentException.class, () -> new AdamW(new LinkedHashMap<>(), AdamWConfig.P1, Schedule.constant()));
        assertEquals("AdamW: got an empty parameter list", empty.getMessage());
        Tensor w = Tensor.zeros(3, 4);
        var tied = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(named("a", w, "b", w.reshape(4, 3)), AdamWConfig.P1, Schedule.constant()));
        assertTrue(tied.getMessage().contains("'a' and 'b' share storage"), tied.getMessage());
        var members = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(named("w", w), AdamWConfig.P1, Schedule.constant(), new double[] {1e-3, 2e-3}));
        assertTrue(members.getMessage().contains("parameter 'w' of shape [3, 4] has no member axis of size 2"), members.getMessage());
        var lr = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(named("w", w), AdamWConfig.P1, Schedule.constant(), new double[] {-1, 1, 1}));
        assertTrue(lr.getMessage().contains("lr must be a finite number ≥ 0"), lr.getMessage());
    }
}
