package org.biaslab.tensor;

import static org.biaslab.tensor.GradCheck.check;
import static org.biaslab.tensor.GradCheck.matchesReference;
import static org.biaslab.tensor.GradCheck.randn;
import static org.biaslab.tensor.GradCheck.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReductionTest {
    private static final int[][] SHAPES = {{5}, {3, 4}, {2, 3, 4}, {4, 1, 3}, {2, 300}, {3, 20, 17}};

    @Test
    void sumAndMaxMatchReferenceOnEveryAxis() {
        for (int[] s : SHAPES) {
            Tensor a = randn(1, s);
            for (int ax = 0; ax < s.length; ax++) {
                int axis = ax;
                matchesReference(x -> x[0].sum(true, axis), 1e-5, a);
                matchesReference(x -> x[0].max(axis, false), 0, a);
            }
            matchesReference(x -> x[0].sum(), 1e-5, a);
        }
    }

    @Test
    void gradientsOfSumMeanMaxVar() {
        for (int[] s : new int[][] {{5}, {3, 4}, {2, 3, 4}}) {
            Tensor a = randn64(2, s);
            for (int ax = 0; ax < s.length; ax++) {
                int axis = ax;
                check(x -> x[0].sum(false, axis), a);
                check(x -> x[0].mean(true, axis), a);
                check(x -> x[0].max(axis, true), a);
                check(x -> x[0].var(false, 1, axis), a);
            }
            check(x -> x[0].sum(), a);
            check(x -> x[0].var(true, 0), a);
        }
        check(x -> x[0].sum(false, 0, 2), randn64(3, 2, 3, 4));
    }

    @Test
    void closedFormValues() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new double[] {6, 15}, a.sum(false, 1).toDoubleArray());
        assertArrayEquals(new double[] {2.5, 3.5, 4.5}, a.mean(false, 0).toDoubleArray());
        assertArrayEquals(new double[] {3, 6}, a.max(-1, false).toDoubleArray());
        assertArrayEquals(new double[] {1, 1}, a.var(false, 1, 1).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {2.0 / 3, 2.0 / 3}, a.var(false, 0, 1).toDoubleArray(), 1e-15);
        assertEquals(Shape.of(2, 1), a.sum(true, 1).shape());
        assertEquals(Shape.SCALAR, a.sum().shape());
        assertEquals(0.0, Tensor.zeros(0, 3).sum().item());
    }

    @Test
    void maxSplitsTheGradientEvenlyAmongTies() {
        Tensor a = Tensor.of(new double[] {2, 5, 5, 1}, 4).requiresGrad(true);
        a.max(0, false).backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, a.grad().toDoubleArray());
    }
}
