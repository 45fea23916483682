package org.biaslab.probe.norm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ParameterNormsTest {
    /** Two layers with a weight each, an embedding and a scalar: norms by hand. */
    static Map<String, Tensor> params() {
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("embeddings.word.weight", Tensor.of(new double[] {3, 4}, 2));          // 25
        p.put("encoder.layer.0.dense.weight", Tensor.of(new double[] {1, 2, 2, 0}, 2, 2)); // 9
        p.put("encoder.layer.1.dense.weight", Tensor.of(new double[] {0, 0, 0, 12}, 2, 2)); // 144
        p.put("encoder.layer.1.gate", Tensor.of(new double[] {5}, 1));               // a scalar: 25
        return p;
    }

    @Test
    void scalarsAreLeftOutUnlessAskedFor() {
        assertEquals(Math.sqrt(25 + 9 + 144), ParameterNorms.global(params(), 1, ParameterNorms.Selection.ALL)[0], 1e-12);
        assertEquals(Math.sqrt(25 + 9 + 144 + 25), ParameterNorms.global(params(), 1, new ParameterNorms.Selection("**", true))[0], 1e-12);
    }

    @Test
    void layersGroupByTheirIndexAndGlobsSelect() {
        Map<String, double[]> layers = ParameterNorms.byLayer(params(), 1, ParameterNorms.Selection.ALL);
        assertEquals(List.of("embeddings.word", "encoder.layer.0", "encoder.layer.1"), List.copyOf(layers.keySet()));
        assertEquals(3, layers.get("encoder.layer.0")[0], 1e-12);
        assertEquals(12, layers.get("encoder.layer.1")[0], 1e-12);
        assertEquals(Math.sqrt(9 + 144), ParameterNorms.global(params(), 1, new ParameterNorms.Selection("encoder.**", false))[0], 1e-12);
        assertEquals(3, ParameterNorms.global(params(), 1, new ParameterNorms.Selection("*.layer.0.**", false))[0], 1e-12);
        assertEquals("encoder.layer.3", ParameterNorms.layer("encoder.layer.3.attention.self.query.weight"));
        assertEquals("h.11", ParameterNorms.layer("h.11.mlp.c_fc.bias"));
        assertEquals("ln_f", ParameterNorms.layer("ln_f.weight"));
    }

    @Test
    void anEnsembleGivesEachMembersOwnNorm() {
        Map<String, Tensor> single = params(), stacked = new LinkedHashMap<>();
        single.forEach((k, v) -> stacked.put(k, Tensor.stack(0, v, v.mul(2))));
        double one = ParameterNorms.global(single, 1, ParameterNorms.Selection.ALL)[0];
        assertArrayEquals(new double[] {one, 2 * one}, ParameterNorms.global(stacked, 2, ParameterNorms.Selection.ALL), 1e-12);
        assertArrayEquals(new double[] {12, 24}, ParameterNorms.byLayer(stacked, 2, ParameterNorms.Selection.ALL).get("encoder.layer.1"), 1e-12);
    }

    @Test
    void aBlankGlobIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ParameterNorms.Selection(" ", false));
    }
}
