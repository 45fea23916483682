package org.biaslab.tensor;

import static org.biaslab.tensor.GradCheck.check;
import static org.biaslab.tensor.GradCheck.matchesReference;
import static org.biaslab.tensor.GradCheck.randn;
import static org.biaslab.tensor.GradCheck.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ShapeOpsTest {
    @Test
    void reshapeInfersOneDimensionAndSharesValues() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor r = a.reshape(3, -1);
        assertEquals(Shape.of(3, 2), r.shape());
        assertArrayEquals(a.toFloatArray(), r.toFloatArray());
        assertThrows(ShapeException.class, () -> a.reshape(4, -1));
        check(x -> x[0].reshape(6, 1).mul(x[0].reshape(6, 1)), randn64(1, 2, 3));
    }

    @Test
    void permuteMatchesIndexArithmetic() {
        Tensor a = Tensor.of(new double[] {0, 1, 2, 3, 4, 5}, 1, 2, 3);
        Tensor t = a.permute(2, 0, 1); // (3, 1, 2): t[k, 0, j] = a[0, j, k]
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, t.toDoubleArray());
        for (int[] perm : new int[][] {{1, 0, 2, 3}, {0, 2, 1, 3}, {3, 2, 1, 0}, {0, 1, 3, 2}, {2, 0, 3, 1}}) {
            matchesReference(x -> x[0].permute(perm), 0, randn(2, 2, 3, 4, 5));
            check(x -> x[0].permute(perm), randn64(3, 2, 3, 1, 2));
        }
        check(x -> x[0].transpose(0, 1), randn64(4, 3, 5));
    }

    @Test
    void sliceConcatStackRoundTrip() {
        Tensor a = randn64(5, 4, 6);
        Tensor left = a.slice(1, 0, 2), right = a.slice(1, 2, 6);
        assertArrayEquals(a.toDoubleArray(), Tensor.concat(1, left, right).toDoubleArray());
        assertEquals(Shape.of(2, 4, 6), Tensor.stack(0, a, a).shape());
        assertEquals(Shape.of(4, 6, 2), Tensor.stack(-1, a, a).shape());
        matchesReference(x -> x[0].slice(0, 1, 3), 0, randn(6, 4, 6));
        matchesReference(x -> Tensor.concat(0, x[0], x[0]), 0, randn(6, 4, 6));
        check(x -> x[0].slice(1, 1, 4), a);
        check(x -> Tensor.concat(0, x[0], x[1].mul(x[1])), randn64(6, 2, 3), randn64(7, 1, 3));
        check(x -> Tensor.stack(1, x[0], x[1]), randn64(8, 2, 3), randn64(9, 2, 3));
        assertThrows(ShapeException.class, () -> a.slice(0, 3, 5));
        assertThrows(ShapeException.class, () -> Tensor.concat(0, a, randn64(1, 4, 5)));
    }

    @Test
    void embeddingGathersRowsAndScattersGradients() {
        Tensor table = Tensor.of(new double[] {1, 2, 10, 20, 100, 200}, 3, 2);
        Tensor idx = Tensor.ofInts(new int[] {2, 0, 2, 1}, 2, 2);
        Tensor e = table.embedding(idx);
        assertEquals(Shape.of(2, 2, 2), e.shape());
        assertArrayEquals(new double[] {100, 200, 1, 2, 100, 200, 10, 20}, e.toDoubleArray());
        check(x -> x[0].embedding(idx).pow(2.0), randn64(1, 3, 2));
        matchesReference(x -> x[0].embedding(idx), 0, randn(2, 3, 2));
        var err = assertThrows(IndexOutOfBoundsException.class, () -> table.embedding(Tensor.ofInts(new int[] {3}, 1)));
        assertEquals("embedding: index 3 out of range for a table of 3 rows", err.getMessage());
    }

    @Test
    void embeddingAddAddsTheRowOfEachPosition() {
        Tensor table = Tensor.of(new double[] {1, 2, 10, 20}, 2, 2), pos = Tensor.of(new double[] {0.5, 0.25, 3, 4, 7, 9}, 3, 2);
        Tensor idx = Tensor.ofInts(new int[] {1, 0, 1, 0, 0, 1}, 2, 3);
        assertArrayEquals(new double[] {10.5, 20.25, 4, 6, 17, 29, 1.5, 2.25, 4, 6, 17, 29}, table.embeddingAdd(idx, pos).toDoubleArray());
        check(x -> x[0].embeddingAdd(idx, x[1]).pow(2.0), randn64(1, 2, 2), randn64(2, 3, 2));
        Tensor groups = Tensor.ofInts(new int[] {1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0}, 2, 2, 3);
        check(x -> x[0].embeddingAdd(groups, x[1]).pow(2.0), randn64(3, 2, 2, 2), randn64(4, 2, 3, 2));
        var err = assertThrows(ShapeException.class, () -> table.embeddingAdd(idx, Tensor.zeros(DType.F64, Shape.of(2, 2))));
        assertEquals("embedding add: addend [2, 2] should be [3, 2] for table [2, 2] and indices [2, 3]", err.getMessage());
    }

    /** A 3-D table holds one table per group (ensemble member): the same values and gradients as each group alone. */
    @Test
    void aTableOfGroupsReadsEachGroupsOwnRows() {
        Tensor idx = Tensor.ofInts(new int[] {2, 0, 1, 1, 0, 2, 2, 2}, 2, 2, 2); // (G 2, 2, 2)
        Tensor tables = randn64(3, 2, 3, 4); // (G 2, V 3, D 4)
        Tensor e = tables.embedding(idx);
        assertEquals(Shape.of(2, 2, 2, 4), e.shape());
        for (int g = 0; g < 2; g++) {
            Tensor alone = tables.slice(0, g, g + 1).reshape(3, 4).embedding(idx.slice(0, g, g + 1));
            assertArrayEquals(alone.toDoubleArray(), e.slice(0, g, g + 1).toDoubleArray(), 0, "group " + g);
        }
        check(x -> x[0].embedding(idx).pow(2.0), randn64(4, 2, 3, 4));
        matchesReference(x -> x[0].embedding(idx), 0, randn(5, 2, 3, 4));
        var err = assertThrows(ShapeException.class, () -> tables.embedding(Tensor.ofInts(new int[] {0, 1, 2}, 3)));
        assertEquals("embedding: indices [3] need a leading axis of 2 for table [2, 3, 4]", err.getMessage());
        var range = assertThrows(IndexOutOfBoundsException.class, () -> tables.embedding(Tensor.ofInts(new int[] {0, 3}, 2, 1)));
        assertEquals("embedding: index 3 out of range for a table of 3 rows", range.getMessage());
    }

    @Test
    void expandBroadcastsAndSumsBack() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2, 1);
        assertArrayEquals(new double[] {1, 1, 1, 2, 2, 2}, a.expand(2, 3).toDoubleArray());
        check(x -> x[0].expand(4, 2, 3), randn64(2, 2, 1));
    }
}
