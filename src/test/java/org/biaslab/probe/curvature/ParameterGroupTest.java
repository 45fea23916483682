package org.biaslab.probe.curvature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Predicate;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ParameterGroupTest {
    @Test
    void globsMatchWithinAndAcrossDottedParts() {
        Predicate<String> layer1 = ParameterGroup.glob("encoders.layers.1.**");
        assertTrue(layer1.test("encoders.layers.1.self_attn.in_proj_weight"));
        assertFalse(layer1.test("encoders.layers.10.norm1.weight"));
        assertFalse(layer1.test("encoders.layers.0.norm1.weight"));
        Predicate<String> norms = ParameterGroup.glob("**.norm?.*");
        assertTrue(norms.test("encoders.layers.0.norm2.bias"));
        assertFalse(norms.test("encoders.layers.0.norm2.x.bias")); // * stays within one part
        Predicate<String> two = ParameterGroup.glob("linear_head.*, embedding.weight");
        assertTrue(two.test("linear_head.bias") && two.test("embedding.weight"));
        assertFalse(two.test("positional_encoding.weight"));
        assertTrue(ParameterGroup.glob("**").test("anything.at.all"));
        assertFalse(ParameterGroup.glob("a+b").test("aab")); // the rest is literal, not a regular expression
    }

    @Test
    void selectionExcludesAndCountsPerMember() {
        P1Transformer m = new P1Transformer(8, 2, 2, 16, Init.f32(1, 2));
        ParameterGroup g = ParameterGroup.select(m, "**", "positional_encoding");
        assertFalse(g.names().contains("positional_encoding.weight"));
        long all = m.parameterCount() / 2;
        assertEquals(all - 16 * 4, g.dim());
        assertEquals(2, g.members());
        ParameterGroup head = ParameterGroup.select(m, "linear_head.**", null);
        assertEquals(List.of("linear_head.weight", "linear_head.bias"), head.names());
        var e = assertThrows(IllegalArgumentException.class, () -> ParameterGroup.select(m, "decoder.**", null));
        assertTrue(e.getMessage().contains("no parameter matches 'decoder.**'") && e.getMessage().contains("linear_head.bias"), e.getMessage());
    }

    @Test
    void layersAreNumberedBlocksOrModules() {
        P1Transformer m = new P1Transformer(8, 2, 2, 16, Init.f32(1));
        assertEquals(List.of("embedding", "encoders.layers.0", "encoders.layers.1", "linear_head"),
                List.copyOf(ParameterGroup.layers(m, "**", "positional_encoding").keySet()));
    }

    /** Member e's vector is its slice of each parameter, in order; unflatten inverts flatten. */
    @Test
    void flattenAndUnflattenAreInversesPerMember() {
        P1Transformer m = new P1Transformer(8, 1, 2, 16, Init.f32(1, 2, 3));
        ParameterGroup head = ParameterGroup.select(m, "linear_head.**", null);
        Tensor[] params = head.tensors();
        double[][] flat = head.flatten(params);
        assertEquals(3, flat.length);
        assertEquals(9, flat[1].length);
        assertEquals(params[0].toDoubleArray()[8], flat[1][0]); // member 1's first weight
        assertEquals(params[1].toDoubleArray()[1], flat[1][8]); // member 1's bias
        Tensor[] back = head.unflatten(flat);
        for (int i = 0; i < params.length; i++) assertArrayEquals(params[i].toFloatArray(), back[i].toFloatArray());
    }
}
