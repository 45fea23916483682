package org.biaslab.probe.landscape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.boolfn.FunctionCatalog;
import org.biaslab.data.Batch;
import org.biaslab.data.BitTask;
import org.biaslab.data.Sampler;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SliceTest {
    @Test
    void alongADirectionAQuadraticIsItsTaylorPolynomial() {
        Quadratic q = new Quadratic(1);
        Map<String, Tensor> theta = q.namedParameters();
        Rng rng = new Rng(2);
        Map<String, Tensor> delta = FilterNormalisation.randomDirection(theta, rng, false);
        Map<String, Tensor> eta = FilterNormalisation.randomDirection(theta, rng, true);
        double[] t = Quadratic.flat(theta), d = Quadratic.flat(delta), e = Quadratic.flat(eta);
        Slice plane = Slice.along(q, delta, eta);
        for (double alpha : new double[] {-1, -0.3, 0, 0.55, 1.5}) {
            for (double beta : new double[] {-0.7, 0, 1}) {
                // L(θ + αδ + βη) = L(θ) + α δᵀAθ + β ηᵀAθ + ½α² δᵀAδ + αβ δᵀAη + ½β² ηᵀAη
                double expected = q.form(t, t) / 2 + alpha * q.form(d, t) + beta * q.form(e, t)
                        + alpha * alpha / 2 * q.form(d, d) + alpha * beta * q.form(d, e) + beta * beta / 2 * q.form(e, e);
                assertEquals(expected, plane.evaluate(alpha, beta, q.objective()).loss(), 1e-12 * expected, alpha + ", " + beta);
            }
        }
        Slice line = Slice.along(q, delta, null);
        assertEquals(plane.evaluate(0.4, 0, q.objective()), line.evaluate(0.4, 0, q.objective()), "a plane's row β = 0 is its line");
        assertEquals(q.form(t, t) / 2, line.evaluate(0, 0, q.objective()).loss(), 0, "exactly L(θ) at the origin");
    }

    @Test
    void betweenTwoModelsAQuadraticIsTheParabolaThroughTheirLosses() {
        Quadratic qa = new Quadratic(3), qb = new Quadratic(4);
        double[] ta = Quadratic.flat(qa.namedParameters()), tb = Quadratic.flat(qb.namedParameters()), diff = new double[Quadratic.N];
        for (int i = 0; i < diff.length; i++) diff[i] = tb[i] - ta[i];
        Slice s = Slice.between(qa, qb.namedParameters(), null);
        for (double alpha : new double[] {-0.5, 0.25, 0.5, 1.5}) {
            // L(θ_A + α(θ_B − θ_A)) with qa's A
            double expected = qa.form(ta, ta) / 2 + alpha * qa.form(diff, ta) + alpha * alpha / 2 * qa.form(diff, diff);
            assertEquals(expected, s.evaluate(alpha, 0, qa.objective()).loss(), 1e-12 * expected);
        }
    }

    @Test
    void theModelKeepsItsVeryTensorsBitForBitAfterASliceAndAfterAFailure() {
        Quadratic q = new Quadratic(5);
        Map<String, Tensor> before = new LinkedHashMap<>(q.namedParameters());
        Map<String, double[]> values = new LinkedHashMap<>();
        before.forEach((k, v) -> values.put(k, v.toDoubleArray()));
        Slice s = Slice.along(q, FilterNormalisation.randomDirection(before, new Rng(6), true), null);
        for (double alpha : Grid.line(-1, 1, 5).alphas()) s.evaluate(alpha, 0, q.objective());
        assertThrows(IllegalStateException.class, () -> s.evaluate(0.5, 0, () -> {
            throw new IllegalStateException("the objective fails");
        }));
        for (var e : q.namedParameters().entrySet()) {
            assertSame(before.get(e.getKey()), e.getValue(), e.getKey());
            assertArrayEquals(values.get(e.getKey()), e.getValue().toDoubleArray(), e.getKey());
        }
    }

    /** A float32 P1 transformer and fixed batches of PARITY at n = 5. */
    static P1Transformer p1(long seed) {
        return new P1Transformer(16, 1, 1, 8, Init.f32(seed));
    }

    static List<Batch> batches() {
        Sampler sampler = Sampler.uniform(List.of(BitTask.of(FunctionCatalog.parse("parity", 5).get(0).function())), new long[] {0}, 32);
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) out.add(sampler.next(i, 2));
        return out;
    }

    @Test
    void theInterpolationsEndsAreTheTwoModelsBitForBitAndSoAreTheirLosses() {
        P1Transformer a = p1(1), b = p1(2);
        Slice s = Slice.between(a, b.namedParameters(), null);
        for (var e : a.namedParameters().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), s.parameters(0, 0).get(e.getKey()).toFloatArray(), e.getKey() + " at α = 0");
            assertArrayEquals(b.namedParameters().get(e.getKey()).toFloatArray(), s.parameters(1, 0).get(e.getKey()).toFloatArray(), e.getKey() + " at α = 1");
        }
        List<Batch> data = batches();
        Evaluation atA = Evaluation.p1(a, data).get(), atB = Evaluation.p1(b, data).get();
        assertEquals(atA, s.evaluate(0, 0, Evaluation.p1(a, data)));
        assertEquals(atB, s.evaluate(1, 0, Evaluation.p1(a, data)));
        double[] alphas = Grid.line(-0.5, 1.5, 9).alphas();
        assertEquals(0.0, alphas[2]);
        assertEquals(1.0, alphas[6], "0 and 1 are grid points of the default range at 4k + 1 steps");
    }

    @Test
    void anotherArchitectureIsOneClearMessage() {
        P1Transformer a = p1(1);
        P1Transformer wider = new P1Transformer(32, 1, 1, 8, Init.f32(1));
        var e = assertThrows(IllegalArgumentException.class, () -> Slice.between(a, wider.namedParameters(), null));
        assertEquals("the other model has 'embedding.weight' of shape [2, 16], the model [2, 8]", e.getMessage());
        Map<String, Tensor> fewer = new LinkedHashMap<>(a.namedParameters());
        fewer.remove("linear_head.bias");
        e = assertThrows(IllegalArgumentException.class, () -> Slice.between(a, fewer, null));
        assertEquals("the other model has no parameter 'linear_head.bias'", e.getMessage());
        var line = Slice.along(a, FilterNormalisation.randomDirection(a.namedParameters(), new Rng(1), false), null);
        assertThrows(IllegalArgumentException.class, () -> line.parameters(0, 0.5), "a line has no β");
    }
}
