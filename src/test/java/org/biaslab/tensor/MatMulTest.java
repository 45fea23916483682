package org.biaslab.tensor;

import static org.biaslab.tensor.GradCheck.check;
import static org.biaslab.tensor.GradCheck.matchesReference;
import static org.biaslab.tensor.GradCheck.randn;
import static org.biaslab.tensor.GradCheck.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MatMulTest {
    @Test
    void smallProductByHand() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, a.matmul(b).toFloatArray());
        assertArrayEquals(new float[] {14, 32, 32, 77}, a.matmulT(a).toFloatArray());
    }

    @Test
    void everyTransposeAndEdgeSizeMatchesReference() {
        int[][] mnk = {{1, 1, 1}, {6, 16, 4}, {7, 17, 5}, {13, 33, 300}, {64, 48, 257}, {5, 3, 0}, {100, 20, 64}};
        for (int[] s : mnk) {
            int m = s[0], n = s[1], k = s[2];
            for (int flags = 0; flags < 4; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
                Tensor a = ta ? randn(1, k, m) : randn(1, m, k);
                Tensor b = tb ? randn(2, n, k) : randn(2, k, n);
                matchesReference(x -> MatMul.apply(x[0], ta, x[1], tb), 1e-4, a, b);
            }
        }
    }

    @Test
    void batchedAndBroadcastProductsMatchReference() {
        matchesReference(x -> x[0].matmul(x[1]), 1e-4, randn(1, 4, 7, 9), randn(2, 4, 9, 5));
        matchesReference(x -> x[0].matmul(x[1]), 1e-4, randn(1, 3, 1, 7, 9), randn(2, 4, 9, 5));
        matchesReference(x -> x[0].matmul(x[1]), 1e-4, randn(1, 2, 3, 7, 9), randn(2, 9, 5));
        matchesReference(x -> x[0].matmulT(x[1]), 1e-4, randn(1, 8, 20, 64), randn(2, 8, 20, 64));
        assertEquals(Shape.of(3, 4, 7, 5), randn(1, 3, 1, 7, 9).matmul(randn(2, 4, 9, 5)).shape());
    }

    @Test
    void tinyProductsTakeADirectPathWithTheSameBitsAsThePackedKernel() {
        for (int flags = 0; flags < 4; flags++) {
            boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
            Tensor a = randn(1, 5, 64), b = randn(2, 64, 7); // 5·7·64 multiply-adds: the direct path
            Tensor big = Tensor.concat(0, a, randn(3, 200, 64)); // 205 rows: the packed path
            Tensor opA = ta ? a.transpose(0, 1) : a, opBig = ta ? big.transpose(0, 1) : big, opB = tb ? b.transpose(0, 1) : b;
            Tensor small = MatMul.apply(opA, ta, opB, tb);
            Tensor packed = MatMul.apply(opBig, ta, opB, tb).slice(0, 0, 5);
            assertArrayEquals(packed.toFloatArray(), small.toFloatArray(), "transA " + ta + ", transB " + tb);
        }
    }

    @Test
    void narrowProductsReadAInPlaceWithTheSameBitsAsPackedPanels() {
        // 203 rows (a partial row panel) and k = 300 (two passes over k): B with n = 32 (full tiles) or 20 columns
        // reads A in place, the same B widened to 320 columns packs A; its first n columns must be the same bits
        for (int n : new int[] {32, 20}) {
            for (int flags = 0; flags < 4; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
                Tensor a = ta ? randn(1, 300, 203) : randn(1, 203, 300);
                Tensor b = randn(2, 300, n), wide = Tensor.concat(1, b, randn(3, 300, 320 - n));
                Tensor opB = tb ? b.transpose(0, 1) : b, opWide = tb ? wide.transpose(0, 1) : wide;
                Tensor narrow = MatMul.apply(a, ta, opB, tb);
                Tensor packed = MatMul.apply(a, ta, opWide, tb).slice(1, 0, n);
                assertArrayEquals(packed.toFloatArray(), narrow.toFloatArray(), "n " + n + ", transA " + ta + ", transB " + tb);
            }
        }
    }

    @Test
    void wideProductsWithShortRowsReadAInPlaceWithTheSameBitsAsPackedPanels() {
        // k = 128 ≤ KC: untransposed A is read in place whatever n; the same A stored transposed is packed
        Tensor a = randn(1, 203, 128), b = randn(2, 128, 320);
        Tensor packed = MatMul.apply(a.transpose(0, 1), true, b, false);
        assertArrayEquals(packed.toFloatArray(), a.matmul(b).toFloatArray());
    }

    @Test
    void linearHasTheBitsAndGradientsOfMatmulThenAdd() {
        // (m, k, n): edge tiles, full tiles, the direct path for tiny products, k = 0; single model and ensemble of 3
        int[][] mkn = {{203, 72, 40}, {64, 128, 32}, {4, 8, 4}, {5, 0, 3}};
        for (int[] s : mkn) {
            for (int members : new int[] {1, 3}) {
                int m = s[0], k = s[1], n = s[2];
                Tensor x = members == 1 ? randn(1, m, k) : randn(1, members, m, k);
                Tensor w = members == 1 ? randn(2, n, k) : randn(2, members, n, k);
                Tensor bias = members == 1 ? randn(3, n) : randn(3, members, n);
                Tensor[] fused = linearAndGradients(x, w, bias, true), plain = linearAndGradients(x, w, bias, false);
                for (int i = 0; i < fused.length; i++) {
                    assertArrayEquals(plain[i].toFloatArray(), fused[i].toFloatArray(), "m " + m + ", k " + k + ", n " + n + ", E " + members + ", output " + i);
                }
            }
        }
    }

    /** y = x Wᵀ + b, fused or as matmulT then add, and the gradients of Σ y ⊙ c for a fixed c. */
    private static Tensor[] linearAndGradients(Tensor x, Tensor w, Tensor bias, boolean fused) {
        Tensor[] leaves = {x.detach().requiresGrad(true), w.detach().requiresGrad(true), bias.detach().requiresGrad(true)};
        Tensor b = leaves[2], rowBias = b.shape().rank() == 2 ? b.reshape(b.dim(0), 1, b.dim(1)) : b;
        Tensor y = fused ? leaves[0].linear(leaves[1], b) : leaves[0].matmulT(leaves[1]).add(rowBias);
        Tensor c = Tensor.randn(new Rng(9), DType.F32, y.shape().dims());
        Tensor[] g = Autograd.grad(y.mul(c).sum(), leaves, null, false);
        return new Tensor[] {y, g[0], g[1], g[2]};
    }

    @Test
    void gradientsForAllLayouts() {
        check(x -> x[0].matmul(x[1]), randn64(1, 3, 4), randn64(2, 4, 5));
        check(x -> x[0].matmulT(x[1]), randn64(1, 3, 4), randn64(2, 5, 4));
        check(x -> MatMul.apply(x[0], true, x[1], false), randn64(1, 4, 3), randn64(2, 4, 5));
        check(x -> MatMul.apply(x[0], true, x[1], true), randn64(1, 4, 3), randn64(2, 5, 4));
        check(x -> x[0].matmul(x[1]), randn64(3, 2, 3, 4), randn64(4, 4, 2)); // folded (B, T, k) @ (k, n)
        check(x -> x[0].matmul(x[1]), randn64(5, 2, 1, 3, 4), randn64(6, 3, 4, 2)); // broadcast batch
    }

    @Test
    void mismatchedInnerDimensionsAreNamed() {
        var e = assertThrows(ShapeException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertEquals("matmul: inner dimensions differ: [2, 3] @ [4, 5]", e.getMessage());
    }
}
