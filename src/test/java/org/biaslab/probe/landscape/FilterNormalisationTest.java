package org.biaslab.probe.landscape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class FilterNormalisationTest {
    /** A weight (out 5, in 7), its bias, LayerNorm γ and β, and a rank-3 parameter, at various scales. */
    static Map<String, Tensor> theta() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        Rng rng = new Rng(4);
        t.put("linear.weight", Tensor.uniform(rng, DType.F64, -3, 3, 5, 7));
        t.put("linear.bias", Tensor.uniform(rng, DType.F64, -1, 1, 5));
        t.put("norm.weight", Tensor.uniform(rng, DType.F64, 0.5, 2, 7));
        t.put("norm.bias", Tensor.uniform(rng, DType.F64, -1, 1, 7));
        t.put("stack", Tensor.uniform(rng, DType.F64, -0.01, 0.01, 3, 2, 4));
        return t;
    }

    /** ‖p[f, …]‖ for every filter f (slice along the first axis). */
    static double[] filterNorms(Tensor p) {
        double[] v = p.toDoubleArray();
        int filters = p.dim(0), per = v.length / filters;
        double[] n = new double[filters];
        for (int i = 0; i < v.length; i++) n[i / per] += v[i] * v[i];
        return Arrays.stream(n).map(Math::sqrt).toArray();
    }

    @Test
    void everyFilterHasTheNormOfThetasFilterAndBiasesAndLayerNormAreZero() {
        Map<String, Tensor> theta = theta();
        Map<String, Tensor> d = FilterNormalisation.randomDirection(theta, new Rng(9), false);
        for (String name : new String[] {"linear.weight", "stack"}) {
            assertArrayEquals(filterNorms(theta.get(name)), filterNorms(d.get(name)), 1e-12, name);
            assertFalse(Arrays.equals(theta.get(name).toDoubleArray(), d.get(name).toDoubleArray()), name + " is not θ itself");
        }
        for (String name : new String[] {"linear.bias", "norm.weight", "norm.bias"}) {
            assertTrue(Arrays.stream(d.get(name).toDoubleArray()).allMatch(v -> v == 0), name + " is zero");
        }
        assertEquals(theta.keySet().stream().toList(), d.keySet().stream().toList());
    }

    @Test
    void includedBiasesAndLayerNormTakeThetasValuesAsLiEtAl() {
        Map<String, Tensor> theta = theta();
        Map<String, Tensor> d = FilterNormalisation.randomDirection(theta, new Rng(9), true);
        for (String name : new String[] {"linear.bias", "norm.weight", "norm.bias"}) {
            assertArrayEquals(theta.get(name).toDoubleArray(), d.get(name).toDoubleArray(), name);
        }
        assertArrayEquals(FilterNormalisation.randomDirection(theta, new Rng(9), false).get("linear.weight").toDoubleArray(),
                d.get("linear.weight").toDoubleArray(), "the weights' directions do not depend on the option");
    }

    @Test
    void aDirectionIsTheGaussianDrawRescaledPerFilter() {
        Map<String, Tensor> theta = theta();
        Map<String, Tensor> d = FilterNormalisation.randomDirection(theta, new Rng(9), false);
        Tensor g = Tensor.randn(new Rng(9), DType.F64, 5, 7); // the first parameter's draw
        double[] gv = g.toDoubleArray(), dv = d.get("linear.weight").toDoubleArray(), gn = filterNorms(g), tn = filterNorms(theta.get("linear.weight"));
        for (int i = 0; i < gv.length; i++) assertEquals(gv[i] * tn[i / 7] / gn[i / 7], dv[i], 1e-12);
    }

    @Test
    void theSameSeedGivesTheSameDirectionAndAnotherSeedAnother() {
        Map<String, Tensor> theta = theta();
        double[] a = FilterNormalisation.randomDirection(theta, new Rng(1), false).get("stack").toDoubleArray();
        assertArrayEquals(a, FilterNormalisation.randomDirection(theta, new Rng(1), false).get("stack").toDoubleArray());
        assertFalse(Arrays.equals(a, FilterNormalisation.randomDirection(theta, new Rng(2), false).get("stack").toDoubleArray()));
    }

    @Test
    void float32ParametersGetFloat32DirectionsWhoseFiltersMatchToFloatPrecision() {
        Map<String, Tensor> theta = new LinkedHashMap<>();
        theta.put("w", Tensor.uniform(new Rng(3), DType.F32, -1, 1, 4, 6));
        Tensor d = FilterNormalisation.randomDirection(theta, new Rng(5), false).get("w");
        assertEquals(DType.F32, d.dtype());
        assertArrayEquals(filterNorms(theta.get("w")), filterNorms(d), 1e-6);
    }

    @Test
    void aDirectionOfAnotherShapeIsNamed() {
        Map<String, Tensor> theta = theta();
        Map<String, Tensor> d = new LinkedHashMap<>(theta);
        d.put("linear.weight", Tensor.zeros(7, 5));
        var e = assertThrows(IllegalArgumentException.class, () -> FilterNormalisation.normalise(d, theta, false));
        assertEquals("filter normalisation: 'linear.weight' has shape [7, 5] in the direction, [5, 7] in the parameters", e.getMessage());
    }
}
