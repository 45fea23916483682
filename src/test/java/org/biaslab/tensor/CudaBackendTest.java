package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.biaslab.tensor.cuda.Cuda;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every op on the GPU against the CPU within float32 tolerance, forward and backward. Runs only where a CUDA
 * device is present (CI has none: the result on the GPU machine is recorded in docs/gpu.md).
 */
class CudaBackendTest {
    @BeforeEach
    void requireGpu() {
        Assumptions.assumeTrue(Cuda.available(), () -> "skipped: no CUDA device (" + Cuda.unavailableReason() + ")");
    }

    private static Tensor randn(long seed, int... dims) {
        return Tensor.randn(new Rng(seed), DType.F32, dims);
    }

    /** max |a − b| / (1 + |a|) over elements, with NaNs and infinities required in the same places. */
    private static void assertClose(Tensor expected, Tensor gpu, double tol, String what) {
        assertEquals(expected.shape(), gpu.shape(), what + ": shape");
        double[] a = expected.toDoubleArray(), b = gpu.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i]) || Double.isNaN(b[i])) {
                assertEquals(Double.isNaN(a[i]), Double.isNaN(b[i]), what + ": NaN at " + i);
                continue;
            }
            if (Double.isInfinite(a[i]) || Double.isInfinite(b[i])) {
                assertEquals(a[i], b[i], what + ": infinity at " + i);
                continue;
            }
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(a[i])));
        }
        assertTrue(worst <= tol, what + ": max relative error " + worst + " > " + tol);
    }

    private static Tensor onGpu(Tensor t, String what) {
        assertEquals(Device.CUDA, t.device(), what + ": the result left the GPU");
        return t;
    }

    /**
     * f on the GPU against f in float64 on the CPU (the exact values of the float32 inputs): the outputs, and the
     * gradients of the inputs for a random weighting of the output.
     */
    private static void same(String what, double tol, Function<Tensor[], Tensor> f, Tensor... inputs) {
        same(what, tol, true, f, inputs);
    }

    /** As above; a loss, read out to the host, may come back as a CPU scalar when {@code onGpu} is false. */
    private static void same(String what, double tol, boolean stays, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor[] ref = new Tensor[inputs.length], gpu = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            boolean grad = inputs[i].dtype() == DType.F32;
            ref[i] = grad ? inputs[i].to(DType.F64).requiresGrad(true) : inputs[i];
            gpu[i] = inputs[i].to(Device.CUDA).requiresGrad(grad);
        }
        Tensor yr = f.apply(ref), yg = f.apply(gpu);
        if (stays) onGpu(yg, what);
        assertClose(yr, yg, tol, what);
        if (!yg.requiresGrad()) return;
        Tensor w = randn(99, yg.shape().dims());
        yr.mul(w.to(DType.F64)).sum().backward();
        yg.mul(w).sum().backward();
        for (int i = 0; i < inputs.length; i++) {
            if (ref[i].grad() != null) assertClose(ref[i].grad(), onGpu(gpu[i].grad(), what), tol, what + " grad " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryOps(UnaryOp op) {
        Tensor x = randn(1, 37, 53);
        if (op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW) x = x.abs().add(0.1);
        boolean differentiable = op != UnaryOp.GELU_DERIV2 && op != UnaryOp.GELU_TANH_DERIV && op != UnaryOp.SIGN;
        Tensor in = x;
        Function<Tensor[], Tensor> f = t -> Elementwise.unary(op, t[0], 1.7);
        if (differentiable) same(op.name(), 2e-5, f, in);
        else assertClose(f.apply(new Tensor[] {in.to(DType.F64)}), f.apply(new Tensor[] {in.to(Device.CUDA)}), 2e-5, op.name());
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryOpsBroadcast(BinaryOp op) {
        // also rows sharing a row of the other operand (binary_rows_f32): a bias (3, 40) + (40), per member
        // (2, 5, 40) + (2, 1, 40), a position table (2, 3, 5, 7) + (2, 1, 5, 7), and the full operand on the right
        int[][][] pairs = {{{3, 4}, {3, 4}}, {{2, 3, 4}, {3, 1}}, {{2, 1, 5}, {2, 3, 1}}, {{4}, {2, 3, 4}}, {{0, 3}, {3}},
                {{3, 40}, {40}}, {{2, 5, 40}, {2, 1, 40}}, {{2, 3, 5, 7}, {2, 1, 5, 7}}, {{2, 1, 40}, {2, 5, 40}}};
        for (int[][] p : pairs) {
            Tensor a = randn(2, p[0]), b = randn(3, p[1]);
            if (op == BinaryOp.POW) a = a.abs().add(0.5);
            if (op == BinaryOp.DIV) b = b.abs().add(0.5);
            if (op.ordinal() >= BinaryOp.EQ.ordinal()) {
                a = a.gt(0.0); // values 0 and 1: many exact ties
                b = b.gt(0.0);
            }
            Function<Tensor[], Tensor> f = t -> Elementwise.binary(op, t[0], t[1]);
            Tensor x = a, y = b;
            same(op + " " + java.util.Arrays.deepToString(p), 2e-5, f, x, y);
        }
    }

    @Test
    void cpuScalarsAndMasksMeetGpuTensors() {
        Tensor a = randn(4, 5, 6);
        // a rank-0 CPU scalar is passed by value, a CPU mask is copied to the GPU
        assertClose(a.mul(2.5).add(1.0), a.to(Device.CUDA).mul(2.5).add(1.0), 1e-6, "scalar");
        Tensor mask = a.gt(0.3);
        assertClose(a.maskedFill(mask, -1e9), a.to(Device.CUDA).maskedFill(mask, -1e9), 0, "maskedFill");
        Tensor ints = Tensor.ofInts(new int[] {1, -2, 3, 7, 0, 5}, 2, 3);
        Tensor other = Tensor.ofInts(new int[] {3, 4, 5}, 3);
        assertClose(ints.add(other), ints.to(Device.CUDA).add(other.to(Device.CUDA)), 0, "int add");
        assertClose(Tensor.where(ints.gt(Tensor.ofInts(new int[] {2}, 1)), ints, other),
                Tensor.where(ints.to(Device.CUDA).gt(Tensor.ofInts(new int[] {2}, 1)), ints.to(Device.CUDA), other), 0, "int where");
    }

    @Test
    void reductionsOverEveryAxisAndLongAxes() {
        int[][] shapes = {{7, 300, 33}, {1, 20000, 128}, {513, 1}, {3, 5000}, {2, 3, 0}};
        for (int[] s : shapes) {
            Tensor x = randn(5, s);
            for (int axis = 0; axis < s.length; axis++) {
                int ax = axis;
                same("sum " + java.util.Arrays.toString(s) + " axis " + ax, 2e-5, t -> t[0].sum(false, ax), x);
                if (s[ax] > 0) same("max " + java.util.Arrays.toString(s) + " axis " + ax, 0, t -> t[0].max(ax, true), x);
            }
        }
        Tensor nan = Tensor.of(new float[] {1, Float.NaN, 3, 4}, 2, 2);
        assertClose(nan.max(1, false), nan.to(Device.CUDA).max(1, false), 0, "max propagates NaN");
    }

    /** Per-member squared norms summed on the device equal the host's float64 sums (ensembles of 1, 3 and 20; a long group). */
    @Test
    void squaredSumsPerGroupOnTheDevice() {
        int[][] shapes = {{1, 7}, {3, 768, 768}, {20, 10000, 3}, {2, 4_000_000}, {4, 0}};
        for (int[] s : shapes) {
            Tensor x = randn(11, s);
            double[] host = x.squaredSums(s[0]), gpu = x.to(Device.CUDA).squaredSums(s[0]);
            for (int e = 0; e < s[0]; e++) {
                assertEquals(host[e], gpu[e], 1e-12 * Math.max(1, host[e]), java.util.Arrays.toString(s) + " member " + e);
            }
        }
    }

    /** A training step's scope runs GEMMs on TF32 (close to, not equal to, float32) and restores exact GEMMs when it closes. */
    @Test
    void trainingStepsUseTf32OnlyInsideTheirScope() {
        Tensor a = randn(8, 256, 256).to(Device.CUDA), b = randn(9, 256, 256).to(Device.CUDA);
        float[] exact = a.matmul(b).toFloatArray();
        Precision.setTrainingTf32(true);
        float[] tf32;
        try (Precision.Scope ignored = Precision.trainingStep(Device.CUDA)) {
            tf32 = a.matmul(b).toFloatArray();
        } finally {
            Precision.setTrainingTf32(false);
        }
        double worst = 0;
        for (int i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(exact[i] - tf32[i]) / (1 + Math.abs(exact[i])));
        assertTrue(worst > 1e-5 && worst < 5e-2, "TF32 against float32: " + worst);
        assertArrayEquals(exact, a.matmul(b).toFloatArray(), 0f, "exact again after the scope");
        assertFalse(Cuda.tf32());
    }

    @Test
    void matmulsWithBroadcastBatchesAndTransposes() {
        same("2-D", 1e-5, t -> t[0].matmul(t[1]), randn(6, 33, 17), randn(7, 17, 29));
        same("folded", 1e-5, t -> t[0].matmul(t[1]), randn(6, 4, 9, 17), randn(7, 17, 29));
        same("batched", 1e-5, t -> t[0].matmul(t[1]), randn(6, 3, 4, 9, 17), randn(7, 3, 1, 17, 5));
        same("bᵀ", 1e-5, t -> t[0].matmulT(t[1]), randn(6, 3, 9, 17), randn(7, 3, 5, 17));
        same("aᵀ", 1e-5, t -> MatMul.apply(t[0], true, t[1], false), randn(6, 2, 17, 9), randn(7, 17, 5));
        // matrix-vector shapes go to cuBLAS's GEMV
        same("n = 1", 1e-5, t -> t[0].matmul(t[1]), randn(6, 3, 64, 17), randn(7, 3, 17, 1));
        same("n = 1, bᵀ", 1e-5, t -> t[0].matmulT(t[1]), randn(6, 3, 64, 17), randn(7, 3, 1, 17));
        same("n = 1, aᵀ", 1e-5, t -> MatMul.apply(t[0], true, t[1], false), randn(6, 3, 17, 64), randn(7, 3, 17, 1));
        same("m = 1", 1e-5, t -> t[0].matmul(t[1]), randn(6, 3, 1, 17), randn(7, 3, 17, 40));
        same("m = 1, aᵀ, bᵀ", 1e-5, t -> MatMul.apply(t[0], true, t[1], true), randn(6, 3, 17, 1), randn(7, 3, 40, 17));
        same("empty k", 0, t -> t[0].matmul(t[1]), randn(6, 4, 0), randn(7, 0, 3));
        // small outputs over a long k are split along k: a narrow layer's weight gradient Xᵀ G per member (one batched
        // call), one item with bᵀ, and A shared by the items (a call per item). The CPU sums k ≈ 16,000 terms of size
        // ~1 in another order: float32 rounding alone differs by ~1e-5 relative to the ~√k-sized results (1.3e-5 seen)
        same("split k, aᵀ", 5e-5, t -> MatMul.apply(t[0], true, t[1], false), randn(6, 9, 16384, 4), randn(7, 9, 16384, 4));
        same("split k, bᵀ", 5e-5, t -> t[0].matmulT(t[1]), randn(6, 8, 12288), randn(7, 5, 12288));
        same("split k, A broadcast", 5e-5, t -> t[0].matmul(t[1]), randn(6, 4, 10000), randn(7, 3, 10000, 4));
        // larger outputs of a few items over a long k: four 64 × 64 tiles per member, split into chunks too. Sums of
        // 16,384 unit terms carry float32 rounding of ~1e-3 absolute, and 36,864 outputs include some near 0 (1.6e-4
        // relative seen on the H200); a misplaced chunk would be off by ~100
        same("split k, tiles, aᵀ", 1e-3, t -> MatMul.apply(t[0], true, t[1], false), randn(6, 3, 16384, 128), randn(7, 3, 16384, 96));
    }

    @Test
    void movingOps() {
        Tensor x = randn(8, 2, 3, 4, 5);
        same("permute", 0, t -> t[0].permute(2, 0, 3, 1), x);
        same("slice", 0, t -> t[0].slice(2, 1, 3), x);
        same("concat", 0, t -> Tensor.concat(1, t[0], t[1]), x, randn(9, 2, 2, 4, 5));
        Tensor ints = Tensor.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertClose(ints.permute(1, 0), ints.to(Device.CUDA).permute(1, 0), 0, "int permute");
        assertClose(ints.slice(1, 1, 3), ints.to(Device.CUDA).slice(1, 1, 3), 0, "int slice");
        assertClose(x.to(DType.F32).copy(), x.to(Device.CUDA).copy(), 0, "copy");
        assertClose(ints.to(DType.F32), ints.to(Device.CUDA).to(DType.F32), 0, "convert i32 → f32");
    }

    @Test
    void embeddingsGatherAndScatterDeterministically() {
        int[] idx = new int[20000];
        Rng rng = new Rng(3);
        for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(3);
        Tensor index = Tensor.ofInts(idx, 100, 200);
        // float32 sums of ~6,700 rows per table row: about 1e-5 relative error is float32 rounding
        same("embedding, few rows", 5e-5, t -> t[0].embedding(index), randn(10, 3, 64));
        int[] wide = new int[20000];
        for (int i = 0; i < wide.length; i++) wide[i] = rng.nextInt(1000);
        same("embedding, many rows (counting sort)", 1e-5, t -> t[0].embedding(Tensor.ofInts(wide, 20000)), randn(11, 1000, 16));
        // the few-rows path is deterministic: two backward passes give the same bits
        Tensor table = randn(10, 3, 64).to(Device.CUDA).requiresGrad(true);
        table.embedding(index).mul(randn(12, 100, 200, 64)).sum().backward();
        float[] first = table.grad().toFloatArray();
        table.zeroGrad();
        table.embedding(index).mul(randn(12, 100, 200, 64)).sum().backward();
        assertTrue(java.util.Arrays.equals(first, table.grad().toFloatArray()), "scatter is deterministic");
    }

    /**
     * A Post-LN block's bias + residual + layer norm and the feed-forward's bias + ReLU, each one kernel on the GPU:
     * against float64, and against the composed ops on the GPU bit for bit (values and every gradient), one model and
     * an ensemble, d 128 (a row in registers) and 300 (read again).
     */
    @Test
    void fusedRowOpsHaveTheComposedBits() {
        for (int[] shape : new int[][] {{50, 128}, {3, 40, 128}, {2, 9, 300}}) {
            int d = shape[shape.length - 1];
            int[] bias = shape.length == 2 ? new int[] {d} : new int[] {shape[0], d};
            same("add + layer norm " + java.util.Arrays.toString(shape), 2e-5, t -> Tensor.addLayerNorm(t[0], t[1], t[2], t[3], t[4], 1e-5),
                    randn(61, shape), randn(62, shape), randn(63, bias), randn(64, bias), randn(65, bias));
            same("bias + relu " + java.util.Arrays.toString(shape), 1e-6, t -> t[0].biasRelu(t[1]), randn(66, shape), randn(67, bias));
            Tensor[] fused = bitsOf(t -> Tensor.addLayerNorm(t[0], t[1], t[2], t[3], t[4], 1e-5), shape, bias);
            Tensor[] composed = bitsOf(t -> t[0].add(t[1].add(t[2].reshape(rowOf(t[2], shape)))).layerNorm(t[3], t[4], 1e-5), shape, bias);
            for (int i = 0; i < fused.length; i++) assertArrayEquals(composed[i].toFloatArray(), fused[i].toFloatArray(), 0f, "add + layer norm, output or gradient " + i);
            Tensor[] relu = bitsOf(t -> t[0].biasRelu(t[2]), shape, bias);
            Tensor[] plain = bitsOf(t -> t[0].add(t[2].reshape(rowOf(t[2], shape))).relu(), shape, bias);
            for (int i = 0; i < relu.length; i++) assertArrayEquals(plain[i].toFloatArray(), relu[i].toFloatArray(), 0f, "bias + relu, output or gradient " + i);
        }
    }

    /** A bias (D) as it is, (E, D) as (E, 1, D) against a (E, N, D). */
    private static int[] rowOf(Tensor bias, int[] shape) {
        return bias.shape().rank() == 1 ? bias.shape().dims() : new int[] {shape[0], 1, shape[shape.length - 1]};
    }

    /** f's output and its inputs' gradients for a fixed weighting, on the GPU: inputs of {@code shape}, then (…) of {@code bias}. */
    private static Tensor[] bitsOf(Function<Tensor[], Tensor> f, int[] shape, int[] bias) {
        Tensor[] in = {randn(71, shape), randn(72, shape), randn(73, bias), randn(74, bias), randn(75, bias)};
        for (int i = 0; i < in.length; i++) in[i] = in[i].to(Device.CUDA).requiresGrad(true);
        Tensor y = f.apply(in);
        y.mul(randn(76, shape).to(Device.CUDA)).sum().backward();
        Tensor[] out = new Tensor[in.length + 1];
        out[0] = y;
        for (int i = 0; i < in.length; i++) out[i + 1] = in[i].grad() == null ? Tensor.zeros(DType.F32, Shape.of(1)) : in[i].grad();
        return out;
    }

    /** P1's projected tables: the token rows at the bits plus the positions' rows, in one kernel with the composed bits. */
    @Test
    void embeddingAddHasTheBitsOfTheGatherAndTheAdd() {
        int[] idx = new int[3 * 50 * 7];
        Rng rng = new Rng(5);
        for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(2);
        Tensor one = Tensor.ofInts(java.util.Arrays.copyOf(idx, 50 * 7), 50, 7), groups = Tensor.ofInts(idx, 3, 50, 7);
        same("embedding add", 1e-5, t -> t[0].embeddingAdd(one, t[1]), randn(13, 2, 24), randn(14, 7, 24));
        same("embedding add, groups", 1e-5, t -> t[0].embeddingAdd(groups, t[1]), randn(15, 3, 2, 24), randn(16, 3, 7, 24));
        Tensor table = randn(15, 3, 2, 24).to(Device.CUDA), pos = randn(16, 3, 7, 24).to(Device.CUDA);
        assertArrayEquals(table.embedding(groups).add(pos.reshape(3, 1, 7, 24)).toFloatArray(), table.embeddingAdd(groups, pos).toFloatArray(),
                0f, "the same bits as the two ops");
    }

    /**
     * An ensemble's tables (G, V, D): each group scatters alone, so a member's gradient has the bits of the same table
     * used by itself; with many rows per group the counting sort gets the CPU's bits.
     */
    @Test
    void tablesOfGroupsScatterEachGroupAlone() {
        int groups = 32, per = 20480;
        int[] idx = new int[groups * per];
        Rng rng = new Rng(31);
        for (int i = 0; i < idx.length; i++) idx[i] = rng.nextInt(2);
        Tensor index = Tensor.ofInts(idx, groups, per), w = randn(32, groups, per, 64);
        // float32 sums of ~10,000 rows per table row, in chunks on the GPU and in order on the CPU
        same("embedding per group, few rows", 1e-4, t -> t[0].embedding(index), randn(33, groups, 2, 64));
        Tensor tables = randn(33, groups, 2, 64).to(Device.CUDA).requiresGrad(true);
        tables.embedding(index.to(Device.CUDA)).mul(w.to(Device.CUDA)).sum().backward();
        float[] all = tables.grad().toFloatArray();
        for (int g : new int[] {0, 17, groups - 1}) {
            Tensor alone = randn(33, groups, 2, 64).slice(0, g, g + 1).reshape(2, 64).to(Device.CUDA).requiresGrad(true);
            alone.embedding(index.slice(0, g, g + 1).reshape(per).to(Device.CUDA)).mul(w.slice(0, g, g + 1).reshape(per, 64).to(Device.CUDA)).sum().backward();
            assertTrue(java.util.Arrays.equals(alone.grad().toFloatArray(), java.util.Arrays.copyOfRange(all, g * 128, (g + 1) * 128)),
                    "member " + g + ": the bits of its table alone");
        }
        int rows = 30000, count = 700;
        int[] wide = new int[3 * count];
        for (int i = 0; i < wide.length; i++) wide[i] = rng.nextInt(rows);
        Tensor wideIndex = Tensor.ofInts(wide, 3, count), ww = randn(34, 3, count, 8);
        Tensor cpu = randn(35, 3, rows, 8).requiresGrad(true);
        cpu.embedding(wideIndex).mul(ww).sum().backward();
        Tensor gpu = randn(35, 3, rows, 8).to(Device.CUDA).requiresGrad(true);
        Tensor out = gpu.embedding(wideIndex.to(Device.CUDA));
        assertTrue(java.util.Arrays.equals(cpu.detach().embedding(wideIndex).toFloatArray(), out.toFloatArray()), "gather per group");
        out.mul(ww.to(Device.CUDA)).sum().backward();
        assertTrue(java.util.Arrays.equals(cpu.grad().toFloatArray(), onGpu(gpu.grad(), "scatter").toFloatArray()), "counting sort per group: the CPU's bits");
    }

    /** Tables of many rows (rows × indices above 2^24) take the counting sort: the CPU's bits, every time. */
    @Test
    void scatterIntoManyRowsMatchesTheCpuBitForBit() {
        int rows = 30000, count = 6000, d = 48;
        int[] idx = new int[count];
        Rng rng = new Rng(21);
        for (int i = 0; i < count; i++) idx[i] = i % 3 == 0 ? 7 : rng.nextInt(rows / 2) * 2; // one heavy row (as padding), odd rows empty
        Tensor index = Tensor.ofInts(idx, count), w = randn(22, count, d);
        Tensor cpu = randn(23, rows, d).requiresGrad(true);
        cpu.embedding(index).mul(w).sum().backward();
        float[] expected = cpu.grad().toFloatArray();
        for (int run = 0; run < 2; run++) {
            Tensor gpu = randn(23, rows, d).to(Device.CUDA).requiresGrad(true);
            gpu.embedding(index.to(Device.CUDA)).mul(w.to(Device.CUDA)).sum().backward();
            assertTrue(java.util.Arrays.equals(expected, onGpu(gpu.grad(), "scatter").toFloatArray()), "run " + run + ": the CPU's bits");
        }
        // accumulating into a table that already holds values: out first, then the rows in order, as the CPU
        Tensor base = randn(24, rows, d), gpuBase = base.to(Device.CUDA);
        Tensor src = randn(25, count, d);
        Kernels.of(Device.CPU).scatterAdd(src, index, base, 1);
        Kernels.of(Device.CUDA).scatterAdd(src.to(Device.CUDA), index.to(Device.CUDA), gpuBase, 1);
        assertTrue(java.util.Arrays.equals(base.toFloatArray(), gpuBase.toFloatArray()), "out += scatter");
    }

    @Test
    void fusedOps() {
        same("softmax", 1e-5, t -> t[0].softmax(-1), randn(13, 7, 9, 31));
        same("softmax middle axis", 1e-5, t -> t[0].softmax(1), randn(13, 7, 9, 31));
        same("log softmax", 1e-5, t -> t[0].logSoftmax(-1), randn(14, 50, 1000));
        same("layer norm", 2e-5, t -> t[0].layerNorm(t[1], t[2], 1e-5), randn(15, 4, 21, 128), randn(16, 128), randn(17, 128));
        same("layer norm per member", 2e-5, t -> t[0].layerNorm(t[1], t[2], 1e-5), randn(15, 3, 5, 21, 64), randn(16, 3, 64), randn(17, 3, 64));
        same("layer norm, no affine", 2e-5, t -> t[0].layerNorm(null, null, 1e-5), randn(15, 40, 100));
        // dγ and dβ summed per chunk of rows by the backward kernel (up to 256 features), a member's 20,000 rows in
        // chunks; 300 features take the separate reductions
        same("layer norm, many rows per member", 5e-5, t -> t[0].layerNorm(t[1], t[2], 1e-5), randn(18, 3, 20000, 128), randn(19, 3, 128),
                randn(20, 3, 128));
        same("layer norm, 300 features", 2e-5, t -> t[0].layerNorm(t[1], t[2], 1e-5), randn(21, 2, 50, 300), randn(22, 2, 300), randn(23, 2, 300));
        same("mse", 1e-6, false, t -> t[0].mse(t[1]), randn(18, 1024, 3), randn(19, 1024, 3));
        int[] cls = new int[64];
        for (int i = 0; i < cls.length; i++) cls[i] = i % 10;
        same("cross entropy", 1e-6, false, t -> t[0].crossEntropy(Tensor.ofInts(cls, 64)), randn(20, 64, 10));
    }

    @Test
    void qrOnTheGpu() {
        // SpectralAttention's shape (E, H, d, d), a tall batch and a tall single matrix; Q, R and both gradients
        same("qr Q", 1e-4, t -> t[0].qr().q(), randn(41, 3, 4, 64, 64));
        same("qr R", 1e-4, t -> t[0].qr().r(), randn(42, 5, 30, 7));
        same("qr Q of a tall matrix", 1e-4, t -> t[0].qr().q(), randn(43, 100, 17));
    }

    @Test
    void fusedAttention() {
        // P1's shape (dh 64, T = S = 20), causal cross-attention (T < S), a head width that is not a multiple of 32,
        // and sizes that need more than the default 48 KiB of shared memory
        same("attention P1", 2e-5, t -> Tensor.attention(t[0], t[1], t[2], 2, 0.125, false), randn(31, 3, 7, 20, 128),
                randn(32, 3, 7, 20, 128), randn(33, 3, 7, 20, 128));
        same("attention causal T < S", 2e-5, t -> Tensor.attention(t[0], t[1], t[2], 3, 0.3, true), randn(34, 5, 9, 48),
                randn(35, 5, 40, 48), randn(36, 5, 40, 48));
        // the wide path (32–64 features, products blocked over queries) with 40 features: lanes 8–31 hold one of them
        same("attention causal T < S, 40 features", 2e-5, t -> Tensor.attention(t[0], t[1], t[2], 2, 0.2, true), randn(41, 4, 9, 80),
                randn(42, 4, 30, 80), randn(43, 4, 30, 80));
        // keys and values one tensor (P1's readout query in its input's space): the kernel writes dk + dv, on the wide
        // path (64 features per head) and the other (128)
        same("attention, keys = values", 2e-5, t -> Tensor.attention(t[0], t[1], t[1], 2, 0.125, false), randn(44, 3, 2, 128),
                randn(45, 3, 20, 128));
        same("attention, keys = values, one head", 2e-5, t -> Tensor.attention(t[0], t[1], t[1], 1, 0.1, false), randn(46, 3, 2, 128),
                randn(47, 3, 20, 128));
        same("attention, 100 positions", 2e-5, t -> Tensor.attention(t[0], t[1], t[2], 2, 0.125, true), randn(37, 2, 100, 128),
                randn(38, 2, 100, 128), randn(39, 2, 100, 128));
        // P1's long sweep (d 4, two heads of width 2) at n = 512 and a causal T < S: P and dS (T × S) outgrow shared
        // memory, so the backward keeps them in global memory
        same("attention, 512 positions of width 2", 2e-5, t -> Tensor.attention(t[0], t[1], t[2], 2, 0.7, false), randn(73, 3, 512, 4),
                randn(74, 3, 512, 4), randn(75, 3, 512, 4));
        same("attention causal, 300 of 512 positions", 2e-5, t -> Tensor.attention(t[0], t[1], t[2], 2, 0.7, true), randn(76, 2, 300, 4),
                randn(77, 2, 512, 4), randn(78, 2, 512, 4));
        // without gradients the forward kernel writes no probabilities, and gives the same bits
        Tensor q = randn(83, 3, 512, 4).to(Device.CUDA).requiresGrad(true), kv = randn(84, 3, 512, 4).to(Device.CUDA);
        Tensor recorded = Tensor.attention(q, kv, kv, 2, 0.7, false), plain;
        try (var off = GradMode.off()) {
            plain = Tensor.attention(q, kv, kv, 2, 0.7, false);
        }
        assertArrayEquals(recorded.toFloatArray(), plain.toFloatArray(), "attention without gradients");
        Tensor wide = randn(40, 1, 1024, 128).to(Device.CUDA);
        assertTrue(!Tensor.fitsFusedAttention(wide, wide, wide, 2), "1024 positions of width 64 do not fit in shared memory");
    }

    /**
     * layer_norm_double_backward_f32 and attention_double_backward_f32: the first-order gradients recorded for second
     * derivatives (compared as outputs), and their backward pass (compared as the inputs' gradients).
     */
    @Test
    void fusedDoubleBackward() {
        same("layer norm double backward", 1e-4, DoubleBackwardTest::layerNormFlat, randn(51, 4, 21, 128), randn(52, 4, 21, 128), randn(53, 128));
        same("layer norm double backward per member", 1e-4, DoubleBackwardTest::layerNormFlat, randn(54, 3, 5, 21, 64), randn(55, 3, 5, 21, 64),
                randn(56, 3, 64));
        same("layer norm double backward, no affine", 1e-4, DoubleBackwardTest::layerNormFlat, randn(57, 40, 100), randn(58, 40, 100));
        same("attention double backward P1", 1e-4, t -> DoubleBackwardTest.attentionFlat(t, 2, 0.125, false), randn(61, 3, 7, 21, 128),
                randn(62, 3, 7, 21, 128), randn(63, 3, 7, 21, 128), randn(64, 3, 7, 21, 128));
        same("attention double backward causal T < S", 1e-4, t -> DoubleBackwardTest.attentionFlat(t, 3, 0.3, true), randn(65, 5, 9, 48),
                randn(66, 5, 9, 48), randn(67, 5, 40, 48), randn(68, 5, 40, 48));
        same("attention double backward, 100 positions", 1e-4, t -> DoubleBackwardTest.attentionFlat(t, 2, 0.125, true), randn(69, 2, 100, 128),
                randn(70, 2, 100, 128), randn(71, 2, 100, 128), randn(72, 2, 100, 128));
        same("attention double backward, 512 positions of width 2", 1e-4, t -> DoubleBackwardTest.attentionFlat(t, 2, 0.7, false),
                randn(79, 2, 512, 4), randn(80, 2, 512, 4), randn(81, 2, 512, 4), randn(82, 2, 512, 4));
    }

    @Test
    void oneAdamwLaunchForManyTensorsGivesTheCpusBits() {
        // 50 tensors (two launches of up to 48), one of them empty, sizes not multiples of a block; an ensemble of 3
        // with a learning rate each, and one model
        for (double[] lr : new double[][] {{1e-3, 3e-4, 1e-2}, {2e-3}}) {
            int members = lr.length;
            java.util.List<Tensor[]> cpu = new java.util.ArrayList<>(), gpu = new java.util.ArrayList<>();
            for (int j = 0; j < 50; j++) {
                int inner = j == 7 ? 0 : 1 + (j * 37) % 300;
                Tensor[] c = {randn(100 + j, members, inner), randn(200 + j, members, inner), randn(300 + j, members, inner).mul(0.1),
                        randn(400 + j, members, inner).abs()};
                cpu.add(c);
                gpu.add(new Tensor[] {c[0].to(Device.CUDA), c[1].to(Device.CUDA), c[2].to(Device.CUDA), c[3].to(Device.CUDA)});
            }
            for (int step = 1; step <= 3; step++) {
                InPlace.adamwAll(cpu, lr, 0.9, 0.999, 1e-8, 0.1, step);
                InPlace.adamwAll(gpu, lr, 0.9, 0.999, 1e-8, 0.1, step);
            }
            for (int j = 0; j < 50; j++) {
                for (int q = 0; q < 4; q++) assertClose(cpu.get(j)[q], gpu.get(j)[q], 0, "adamw tensor " + j + " part " + q + ", " + members + " members");
            }
        }
    }

    @Test
    void optimiserUpdatesMatchTheCpuKernelsBitForBit() {
        Tensor p = randn(21, 4, 1000), g = randn(22, 4, 1000), m = randn(23, 4, 1000).mul(0.1), v = randn(24, 4, 1000).abs();
        Tensor pg = p.to(Device.CUDA), gg = g.to(Device.CUDA), mg = m.to(Device.CUDA), vg = v.to(Device.CUDA);
        double[] lr = {1e-3, 3e-4, 1e-2, 5e-4};
        for (int step = 1; step <= 3; step++) {
            InPlace.adamw(p, g, m, v, lr, 0.9, 0.999, 1e-8, 0.1, step);
            InPlace.adamw(pg, gg, mg, vg, lr, 0.9, 0.999, 1e-8, 0.1, step);
        }
        assertClose(p, pg, 0, "adamw p");
        assertClose(m, mg, 0, "adamw m");
        assertClose(v, vg, 0, "adamw v");
        Tensor b = randn(25, 4, 1000), bg = b.to(Device.CUDA);
        InPlace.sgd(p, g, b, lr, 0.9, 0.1, 0.01, true, false);
        InPlace.sgd(pg, gg, bg, lr, 0.9, 0.1, 0.01, true, false);
        assertClose(p, pg, 0, "sgd p");
        InPlace.scale(p, new double[] {0.5, 2, 3, -1});
        InPlace.scale(pg, new double[] {0.5, 2, 3, -1});
        assertClose(p, pg, 0, "scale");
    }

    @Test
    void copiesAndErrors() {
        Tensor x = randn(26, 3, 4);
        assertEquals(Device.CPU, x.to(Device.CUDA).to(Device.CPU).device());
        assertTrue(java.util.Arrays.equals(x.toFloatArray(), x.to(Device.CUDA).toFloatArray()), "round trip");
        assertEquals(x.get(7), x.to(Device.CUDA).get(7));
        assertClose(Tensor.zeros(DType.F32, Shape.of(5, 7)), Tensor.zeros(DType.F32, Shape.of(5, 7), Device.CUDA), 0, "zeros");
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[] {1, 2}, 2).to(Device.CUDA));
        assertTrue(e.getMessage().contains("float64"), e.getMessage());
        var m = assertThrows(IllegalArgumentException.class, () -> x.to(Device.CUDA).matmul(randn(27, 4, 2)));
        assertTrue(m.getMessage().contains("device"), m.getMessage());
    }
}
