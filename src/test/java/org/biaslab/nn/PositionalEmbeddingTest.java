package org.biaslab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Shape;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PositionalEmbeddingTest {
    @Test
    void sinusoidsFollowVaswani() {
        Tensor pe = PositionalEmbedding.sinusoids(50, 8);
        assertEquals(0, pe.get(0), 0);              // sin(0)
        assertEquals(1, pe.get(1), 0);              // cos(0)
        assertEquals(Math.sin(3), pe.get(3 * 8), 1e-15);
        assertEquals(Math.cos(7 / Math.pow(10000, 2.0 / 8)), pe.get(7 * 8 + 3), 1e-15);
        // every row has unit norm in each (sin, cos) pair
        for (int p = 0; p < 50; p++) for (int i = 0; i < 8; i += 2) {
            double s = pe.get(p * 8 + i), c = pe.get(p * 8 + i + 1);
            assertEquals(1, s * s + c * c, 1e-12);
        }
    }

    @Test
    void learnedAddedAndConcatenatedPositionsUseTableRowsByPosition() {
        Tensor tok = Tensor.randn(new Rng(1), DType.F32, 2, 3, 4);
        PositionalEmbedding added = new PositionalEmbedding(PositionalEmbedding.Kind.LEARNED_ADDED, 10, 4, Init.f32(0));
        Tensor table = added.namedParameters().get("table.weight");
        Tensor y = added.forward(tok);
        assertArrayEquals(tok.add(table.slice(0, 0, 3)).toFloatArray(), y.toFloatArray());
        PositionalEmbedding cat = new PositionalEmbedding(PositionalEmbedding.Kind.LEARNED_CONCAT, 10, 5, Init.f32(0));
        Tensor z = cat.forward(tok);
        assertEquals(Shape.of(2, 3, 9), z.shape());
        assertArrayEquals(cat.namedParameters().get("table.weight").slice(0, 0, 3).toFloatArray(),
                z.slice(0, 1, 2).slice(2, 4, 9).reshape(3, 5).toFloatArray());
        PositionalEmbedding sin = new PositionalEmbedding(PositionalEmbedding.Kind.SINUSOIDAL, 10, 4, Init.f32(0));
        assertEquals(0, sin.namedParameters().size());
        assertArrayEquals(tok.add(PositionalEmbedding.sinusoids(3, 4).to(DType.F32)).toFloatArray(), sin.forward(tok).toFloatArray());
    }

    @Test
    void ensemblesAddTheirOwnTable() {
        PositionalEmbedding added = new PositionalEmbedding(PositionalEmbedding.Kind.LEARNED_ADDED, 10, 4, Init.f32(3, 4));
        Tensor tok = Tensor.randn(new Rng(2), DType.F32, 2, 5, 3, 4); // (E, B, T, d)
        Tensor y = added.forward(tok);
        PositionalEmbedding solo = new PositionalEmbedding(PositionalEmbedding.Kind.LEARNED_ADDED, 10, 4, Init.f32(4));
        assertArrayEquals(solo.forward(tok.slice(0, 1, 2).reshape(5, 3, 4)).toFloatArray(), y.slice(0, 1, 2).toFloatArray());
    }
}
