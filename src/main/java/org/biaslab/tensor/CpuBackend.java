package org.biaslab.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU backend: float32 kernels with the Vector API, split over cores for large work; float64 and rare cases
 * fall back to the reference loops, which are exact in double.
 */
final class CpuBackend extends ReferenceBackend {
    static final CpuBackend INSTANCE = new CpuBackend();
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements per parallel chunk for cheap elementwise work. */
    private static final int ELEMENTWISE_GRAIN = 1 << 15;

    private CpuBackend() {}

    private static boolean f32(Tensor... ts) {
        for (Tensor t : ts) if (t != null && t.dtype() != DType.F32) return false;
        return true;
    }

    // ---- elementwise ----

    @Override
    public void unary(UnaryOp op, Tensor a, double param, Tensor out) {
        if (!f32(a)) {
            super.unary(op, a, param, out);
            return;
        }
        float[] x = a.storage.f32, y = out.storage.f32;
        Parallel.forRange(a.size(), ELEMENTWISE_GRAIN, (from, to) -> unaryRange(op, (float) param, x, y, from, to));
    }

    // The Vector API compiles lanewise() to machine code only when the operator is a constant at the call site, so
    // each operator gets its own loop. exp, log and tanh stay scalar: the vector versions may round differently
    // before and after the JIT compiles them, and results must not depend on that (java.lang.Math's may not).
    private static void unaryRange(UnaryOp op, float p, float[] x, float[] y, int from, int to) {
        int i = from, last = to - L;
        switch (op) {
            case NEG -> { for (; i <= last; i += L) FloatVector.fromArray(S, x, i).neg().intoArray(y, i); }
            case ABS -> { for (; i <= last; i += L) FloatVector.fromArray(S, x, i).abs().intoArray(y, i); }
            case SQRT -> { for (; i <= last; i += L) FloatVector.fromArray(S, x, i).sqrt().intoArray(y, i); }
            case RELU -> { for (; i <= last; i += L) FloatVector.fromArray(S, x, i).max(0f).intoArray(y, i); }
            case POW -> {
                if (p == 2) for (; i <= last; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, i);
                    v.mul(v).intoArray(y, i);
                }
            }
            default -> { }
        }
        for (; i < to; i++) y[i] = (float) ScalarMath.unary(op, x[i], p);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (!f32(a, b, out)) {
            super.binary(op, a, b, out);
            return;
        }
        Broadcast plan = Broadcast.of(out.shape(), a.shape(), b.shape());
        float[] x = a.storage.f32, y = b.storage.f32, z = out.storage.f32;
        int sa = plan.innerStride(0), sb = plan.innerStride(1), n = plan.inner;
        if (n > ELEMENTWISE_GRAIN) {
            // Long rows (same-shape operands merge into one row of the whole tensor): chunks of a row, so that the
            // op runs on every core instead of one.
            int segs = (n + ELEMENTWISE_GRAIN - 1) / ELEMENTWISE_GRAIN;
            Parallel.forRange(plan.rows * segs, 1, (from, to) -> {
                for (int t = from; t < to; t++) {
                    int r = t / segs, j0 = (t % segs) * ELEMENTWISE_GRAIN, len = Math.min(ELEMENTWISE_GRAIN, n - j0);
                    binaryRow(op, x, plan.rowOffset(0, r) + j0 * sa, sa, y, plan.rowOffset(1, r) + j0 * sb, sb, z,
                              r * n + j0, len);
                }
            });
            return;
        }
        Parallel.forRange(plan.rows, Math.max(1, ELEMENTWISE_GRAIN / Math.max(1, n)), (from, to) -> {
            int[] ox = plan.rowOffsets(0, from, to), oy = plan.rowOffsets(1, from, to);
            for (int r = from; r < to; r++) binaryRow(op, x, ox[r - from], sa, y, oy[r - from], sb, z, r * n, n);
        });
    }

    private static void binaryRow(BinaryOp op, float[] x, int ox, int sx, float[] y, int oy, int sy, float[] z, int oz, int n) {
        int j = 0;
        if (n >= L) {
            if (sx == 1 && sy == 1) j = vectorVector(op, x, ox, y, oy, z, oz, n);
            else if (sx == 1) j = vectorScalar(op, x, ox, y[oy], z, oz, n);
            else if (sy == 1) j = scalarVector(op, x[ox], y, oy, z, oz, n);
        }
        for (; j < n; j++) z[oz + j] = (float) ScalarMath.binary(op, x[ox + j * sx], y[oy + j * sy]);
    }

    /** z = x op y over whole vectors; returns how many elements were done. */
    private static int vectorVector(BinaryOp op, float[] x, int ox, float[] y, int oy, float[] z, int oz, int n) {
        int j = 0, last = n - L;
        switch (op) {
            case ADD -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).add(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case SUB -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).sub(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case MUL -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).mul(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case DIV -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).div(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case MAXIMUM -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).max(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case MINIMUM -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).min(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            default -> { }
        }
        return j;
    }

    /** z = x op b for a broadcast scalar b. */
    private static int vectorScalar(BinaryOp op, float[] x, int ox, float b, float[] z, int oz, int n) {
        int j = 0, last = n - L;
        FloatVector v = FloatVector.broadcast(S, b);
        switch (op) {
            case ADD -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).add(v).intoArray(z, oz + j); }
            case SUB -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).sub(v).intoArray(z, oz + j); }
            case MUL -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).mul(v).intoArray(z, oz + j); }
            case DIV -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).div(v).intoArray(z, oz + j); }
            case MAXIMUM -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).max(v).intoArray(z, oz + j); }
            case MINIMUM -> { for (; j <= last; j += L) FloatVector.fromArray(S, x, ox + j).min(v).intoArray(z, oz + j); }
            default -> { }
        }
        return j;
    }

    /** z = a op y for a broadcast scalar a. */
    private static int scalarVector(BinaryOp op, float a, float[] y, int oy, float[] z, int oz, int n) {
        int j = 0, last = n - L;
        FloatVector v = FloatVector.broadcast(S, a);
        switch (op) {
            case ADD -> { for (; j <= last; j += L) v.add(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case SUB -> { for (; j <= last; j += L) v.sub(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case MUL -> { for (; j <= last; j += L) v.mul(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case DIV -> { for (; j <= last; j += L) v.div(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case MAXIMUM -> { for (; j <= last; j += L) v.max(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            case MINIMUM -> { for (; j <= last; j += L) v.min(FloatVector.fromArray(S, y, oy + j)).intoArray(z, oz + j); }
            default -> { }
        }
        return j;
    }

    // ---- reductions ----

    @Override
    public void reduce(ReduceOp op, Tensor a, int axis, Tensor out) {
        if (!f32(a)) {
            super.reduce(op, a, axis, out);
            return;
        }
        int outer = a.shape().outer(axis), n = a.shape().dim(axis), inner = a.shape().inner(axis);
        float[] x = a.storage.f32, y = out.storage.f32;
        boolean sum = op == ReduceOp.SUM;
        if (n == 0) {
            java.util.Arrays.fill(y, sum ? 0f : Float.NEGATIVE_INFINITY);
            return;
        }
        if (inner == 1) {
            Parallel.forRange(outer, Parallel.grain(n, ELEMENTWISE_GRAIN), (from, to) -> {
                for (int o = from; o < to; o++) y[o] = sum ? sumRow(x, o * n, n) : maxRow(x, o * n, n);
            });
            return;
        }
        Parallel.forRange(outer * ((inner + 255) / 256), Parallel.grain((long) n * 256, ELEMENTWISE_GRAIN), (from, to) -> {
            int blocks = (inner + 255) / 256;
            for (int t = from; t < to; t++) {
                int o = t / blocks, i0 = (t % blocks) * 256, len = Math.min(256, inner - i0);
                int dst = o * inner + i0;
                System.arraycopy(x, o * n * inner + i0, y, dst, len);
                for (int k = 1; k < n; k++) {
                    int src = (o * n + k) * inner + i0;
                    int j = 0;
                    for (; j <= len - L; j += L) {
                        FloatVector acc = FloatVector.fromArray(S, y, dst + j);
                        FloatVector v = FloatVector.fromArray(S, x, src + j);
                        (sum ? acc.add(v) : acc.max(v)).intoArray(y, dst + j);
                    }
                    for (; j < len; j++) y[dst + j] = sum ? y[dst + j] + x[src + j] : Math.max(y[dst + j], x[src + j]);
                }
            }
        });
    }

    private static float sumRow(float[] x, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - L; j += L) acc = acc.add(FloatVector.fromArray(S, x, off + j));
        float s = sumLanes(acc);
        for (; j < n; j++) s += x[off + j];
        return s;
    }

    /**
     * The lanes of v added in lane order. The Vector API's reduceLanes(ADD) may add in any order, and does differently
     * before and after JIT compilation, which would make results depend on warm-up.
     */
    private static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }

    private static float maxRow(float[] x, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        int j = 0;
        if (n >= L) {
            FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; j <= n - L; j += L) acc = acc.max(FloatVector.fromArray(S, x, off + j));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; j < n; j++) m = Math.max(m, x[off + j]);
        return m;
    }

    // ---- linear algebra ----

    @Override
    public void matmul(Tensor a, int[] aOffsets, boolean transA, Tensor b, int[] bOffsets, boolean transB, Tensor out,
                       int m, int n, int k) {
        if (f32(a, b)) {
            CpuGemm.gemm(a.storage.f32, aOffsets, transA, b.storage.f32, bOffsets, transB, out.storage.f32, m, n, k);
        } else if (a.dtype() == DType.F64) {
            matmulF64(a.storage.f64, aOffsets, transA, b.storage.f64, bOffsets, transB, out.storage.f64, m, n, k);
        } else {
            super.matmul(a, aOffsets, transA, b, bOffsets, transB, out, m, n, k);
        }
    }

    private static void matmulF64(double[] a, int[] aOff, boolean ta, double[] b, int[] bOff, boolean tb, double[] c,
                                  int m, int n, int k) {
        Parallel.forRange(aOff.length * m, Parallel.grain((long) n * k, 1 << 16), (from, to) -> {
            double[] row = new double[k];
            for (int t = from; t < to; t++) {
                int bi = t / m, i = t % m;
                for (int p = 0; p < k; p++) row[p] = a[aOff[bi] + (ta ? p * m + i : i * k + p)];
                int oc = bi * m * n + i * n;
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    if (tb) {
                        int ob = bOff[bi] + j * k;
                        for (int p = 0; p < k; p++) acc += row[p] * b[ob + p];
                    } else {
                        int ob = bOff[bi] + j;
                        for (int p = 0; p < k; p++) acc += row[p] * b[ob + p * n];
                    }
                    c[oc + j] = acc;
                }
            }
        });
    }

    // ---- data movement ----

    @Override
    public void permute(Tensor a, int[] perm, Tensor out) {
        int r = perm.length;
        if (!f32(a) || perm[r - 1] != r - 1) {
            super.permute(a, perm, out);
            return;
        }
        // the last axis stays in place: copy contiguous runs of it
        float[] x = a.storage.f32, y = out.storage.f32;
        int run = a.shape().dim(-1);
        int[] inStrides = a.shape().strides();
        int[] outDims = out.shape().dims();
        int runs = run == 0 ? 0 : out.size() / run;
        Parallel.forRange(runs, Math.max(1, ELEMENTWISE_GRAIN / Math.max(1, run)), (from, to) -> {
            for (int q = from; q < to; q++) {
                int rem = q, src = 0;
                for (int j = r - 2; j >= 0; j--) {
                    src += (rem % outDims[j]) * inStrides[perm[j]];
                    rem /= outDims[j];
                }
                System.arraycopy(x, src, y, q * run, run);
            }
        });
    }

    @Override
    public void slice(Tensor a, int axis, int start, Tensor out) {
        if (!f32(a)) {
            super.slice(a, axis, start, out);
            return;
        }
        int outer = a.shape().outer(axis), n = a.shape().dim(axis), m = out.shape().dim(axis), inner = a.shape().inner(axis);
        float[] x = a.storage.f32, y = out.storage.f32;
        Parallel.forRange(outer, Parallel.grain((long) m * inner, ELEMENTWISE_GRAIN), (from, to) -> {
            for (int o = from; o < to; o++) System.arraycopy(x, (o * n + start) * inner, y, o * m * inner, m * inner);
        });
    }

    @Override
    public void insert(Tensor src, int axis, int start, Tensor out) {
        if (!f32(src)) {
            super.insert(src, axis, start, out);
            return;
        }
        int outer = out.shape().outer(axis), n = out.shape().dim(axis), m = src.shape().dim(axis), inner = out.shape().inner(axis);
        float[] x = src.storage.f32, y = out.storage.f32;
        Parallel.forRange(outer, Parallel.grain((long) m * inner, ELEMENTWISE_GRAIN), (from, to) -> {
            for (int o = from; o < to; o++) System.arraycopy(x, o * m * inner, y, (o * n + start) * inner, m * inner);
        });
    }

    @Override
    public void gather(Tensor table, Tensor index, Tensor out, int groups) {
        if (!f32(table)) {
            super.gather(table, index, out, groups);
            return;
        }
        int d = table.shape().dim(1), per = index.size() / groups, v = table.shape().dim(0) / groups;
        int[] idx = index.storage.i32;
        for (int i = 0; i < idx.length; i++) System.arraycopy(table.storage.f32, (i / per * v + idx[i]) * d, out.storage.f32, i * d, d);
    }

    /**
     * out[index[i]] += src[i] row by row, i in order: each element's sums in the reference's order, and a float sum
     * rounds as the reference's sum in double rounded to float.
     */
    @Override
    public void scatterAdd(Tensor src, Tensor index, Tensor out, int groups) {
        if (!f32(src, out) || index.dtype() != DType.I32) {
            super.scatterAdd(src, index, out, groups);
            return;
        }
        int d = src.shape().dim(1), per = index.size() / groups, v = out.shape().dim(0) / groups;
        float[] x = src.storage.f32, y = out.storage.f32;
        int[] idx = index.storage.i32;
        for (int i = 0; i < idx.length; i++) {
            int o = (i / per * v + idx[i]) * d, s = i * d, j = 0;
            for (; j <= d - L; j += L) FloatVector.fromArray(S, y, o + j).add(FloatVector.fromArray(S, x, s + j)).intoArray(y, o + j);
            for (; j < d; j++) y[o + j] += x[s + j];
        }
    }

    // ---- fused neural-network kernels ----

    @Override
    public void softmax(Tensor a, Tensor out, boolean log) {
        if (!f32(a) || a.shape().rank() == 0) {
            super.softmax(a, out, log);
            return;
        }
        int d = a.shape().dim(-1);
        int rows = d == 0 ? 0 : a.size() / d;
        float[] x = a.storage.f32, y = out.storage.f32;
        Parallel.forRange(rows, Parallel.grain(d, ELEMENTWISE_GRAIN / 4), (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * d;
                float max = maxRow(x, off, d), sum = 0f;
                FloatExp.shifted(x, off, d, max, y, off); // with log, y holds the exponentials until the last pass
                for (int j = 0; j < d; j++) sum += y[off + j];
                if (log) {
                    float shift = max + (float) Math.log(sum);
                    for (int j = 0; j < d; j++) y[off + j] = x[off + j] - shift;
                } else {
                    float inv = 1f / sum;
                    for (int j = 0; j < d; j++) y[off + j] *= inv;
                }
            }
        });
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, int heads, double scale, boolean causal, Tensor z, Tensor p) {
        if (!f32(q, k, v)) {
            super.attention(q, k, v, heads, scale, causal, z, p == null ? FusedAttention.probabilities(q, k, heads) : p);
            return;
        }
        int t = q.dim(-2), w = q.dim(-1);
        // without p (no backward pass will read it) the kernels keep each row's probabilities to themselves
        CpuAttention.forward(q.storage.f32, k.storage.f32, v.storage.f32, t * w == 0 ? 0 : q.size() / (t * w), heads, t,
                k.dim(-2), w / heads, (float) scale, causal, z.storage.f32, p == null ? null : p.storage.f32);
    }

    @Override
    public void attentionBackward(Tensor gz, Tensor q, Tensor k, Tensor v, Tensor p, int heads, double scale,
                                  boolean causal, Tensor dq, Tensor dk, Tensor dv) {
        if (!f32(gz, q, k, v, p)) {
            super.attentionBackward(gz, q, k, v, p, heads, scale, causal, dq, dk, dv);
            return;
        }
        int t = q.dim(-2), w = q.dim(-1);
        float[] dvs = dv == null ? new float[dk.size()] : dv.storage.f32; // null: dk + dv into dk
        CpuAttention.backward(gz.storage.f32, q.storage.f32, k.storage.f32, v.storage.f32, p == null ? null : p.storage.f32,
                t * w == 0 ? 0 : q.size() / (t * w), heads, t, k.dim(-2), w / heads, (float) scale, causal, dq.storage.f32,
                dk.storage.f32, dvs);
        if (dv == null) for (int i = 0; i < dvs.length; i++) dk.storage.f32[i] += dvs[i];
    }

    /**
     * Where the lanes run ({@link CpuAttention#lanes}), the backward pass recomputes the probabilities per block of
     * (item, head) pairs: at P1's long lengths writing them out and reading them back (two transposes, 132 MB per layer
     * at E = 7, n = 191) cost more than computing them again.
     */
    @Override
    public boolean recomputesProbabilities(Tensor q, Tensor k, int heads) {
        return f32(q, k) && CpuAttention.lanes(k.dim(-2), q.dim(-1) / heads);
    }

    @Override
    public void attentionDoubleBackward(Tensor aq, Tensor ak, Tensor av, Tensor gz, Tensor q, Tensor k, Tensor v, Tensor p,
                                        int heads, double scale, Tensor gg, Tensor gq, Tensor gk, Tensor gv) {
        if (!f32(aq, ak, av, gz, q, k, v, p)) {
            super.attentionDoubleBackward(aq, ak, av, gz, q, k, v, p, heads, scale, gg, gq, gk, gv);
            return;
        }
        int t = q.dim(-2), w = q.dim(-1);
        CpuAttention.doubleBackward(aq.storage.f32, ak.storage.f32, av.storage.f32, gz.storage.f32, q.storage.f32,
                k.storage.f32, v.storage.f32, p.storage.f32, t * w == 0 ? 0 : q.size() / (t * w), heads, t, k.dim(-2),
                w / heads, (float) scale, gg.storage.f32, gq.storage.f32, gk.storage.f32, gv.storage.f32);
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd) {
        if (!f32(x, gamma, beta)) {
            super.layerNorm(x, gamma, beta, eps, out, mean, rstd);
            return;
        }
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        float[] in = x.storage.f32, y = out.storage.f32, mu = mean.storage.f32, rs = rstd.storage.f32;
        float[] g = gamma == null ? null : gamma.storage.f32, bt = beta == null ? null : beta.storage.f32;
        int perMember = g == null || d == 0 ? 1 : Math.max(1, rows / (g.length / d));
        Parallel.forRange(rows, Parallel.grain(3L * d, ELEMENTWISE_GRAIN), (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * d, gOff = (r / perMember) * d;
                float m = sumRow(in, off, d) / d;
                FloatVector mv = FloatVector.broadcast(S, m);
                FloatVector acc = FloatVector.zero(S);
                int j = 0;
                for (; j <= d - L; j += L) {
                    FloatVector c = FloatVector.fromArray(S, in, off + j).sub(mv);
                    acc = c.fma(c, acc);
                }
                float var = sumLanes(acc);
                for (; j < d; j++) var += (in[off + j] - m) * (in[off + j] - m);
                float s = (float) (1 / Math.sqrt(var / d + eps));
                mu[r] = m;
                rs[r] = s;
                FloatVector sv = FloatVector.broadcast(S, s);
                for (j = 0; j <= d - L; j += L) { // the scalar tail's operations, lane by lane
                    FloatVector v = FloatVector.fromArray(S, in, off + j).sub(mv).mul(sv);
                    if (g != null) v = v.mul(FloatVector.fromArray(S, g, gOff + j)).add(FloatVector.fromArray(S, bt, gOff + j));
                    v.intoArray(y, off + j);
                }
                for (; j < d; j++) {
                    float v = (in[off + j] - m) * s;
                    y[off + j] = g == null ? v : v * g[gOff + j] + bt[gOff + j];
                }
            }
        });
    }

    @Override
    public void layerNormBackward(Tensor gOut, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dx,
                                  Tensor dgamma, Tensor dbeta) {
        if (!f32(gOut, x, gamma)) {
            super.layerNormBackward(gOut, x, gamma, mean, rstd, dx, dgamma, dbeta);
            return;
        }
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        float[] g = gOut.storage.f32, in = x.storage.f32, mu = mean.storage.f32, rs = rstd.storage.f32, out = dx.storage.f32;
        float[] gm = gamma == null ? null : gamma.storage.f32;
        MemberRowChunks chunks = MemberRowChunks.of(rows, d, gm == null ? 0 : gm.length);
        float[][] partG = new float[chunks.count()][], partB = new float[chunks.count()][];
        Parallel.forRange(chunks.count(), Parallel.grain((long) MemberRowChunks.ROWS * d * 6, ELEMENTWISE_GRAIN), (from, to) -> {
            float[] xhat = new float[d], dys = new float[d];
            for (int c = from; c < to; c++) {
                int gOff = chunks.member(c) * d, first = chunks.first(c), last = chunks.last(c);
                float[] pg = gm == null ? null : new float[d], pb = gm == null ? null : new float[d];
                for (int r = first; r < last; r++) {
                    int off = r * d;
                    float m = mu[r], s = rs[r], sumDy = 0, sumDyXhat = 0;
                    // element-wise parts as vectors (the same operations per element), the two sums in order over j
                    FloatVector mv = FloatVector.broadcast(S, m), sv = FloatVector.broadcast(S, s);
                    int j = 0;
                    for (; j <= d - L; j += L) {
                        FloatVector gv = FloatVector.fromArray(S, g, off + j);
                        FloatVector xh = FloatVector.fromArray(S, in, off + j).sub(mv).mul(sv);
                        xh.intoArray(xhat, j);
                        (gm == null ? gv : gv.mul(FloatVector.fromArray(S, gm, gOff + j))).intoArray(dys, j);
                        if (pg != null) {
                            FloatVector.fromArray(S, pg, j).add(gv.mul(xh)).intoArray(pg, j);
                            FloatVector.fromArray(S, pb, j).add(gv).intoArray(pb, j);
                        }
                    }
                    for (; j < d; j++) {
                        float xh = (in[off + j] - m) * s;
                        xhat[j] = xh;
                        dys[j] = gm == null ? g[off + j] : g[off + j] * gm[gOff + j];
                        if (pg != null) {
                            pg[j] += g[off + j] * xh;
                            pb[j] += g[off + j];
                        }
                    }
                    for (j = 0; j < d; j++) {
                        sumDy += dys[j];
                        sumDyXhat += dys[j] * xhat[j];
                    }
                    float a = sumDy / d, b = sumDyXhat / d;
                    FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b);
                    for (j = 0; j <= d - L; j += L) {
                        FloatVector.fromArray(S, dys, j).sub(av).sub(FloatVector.fromArray(S, xhat, j).mul(bv)).mul(sv).intoArray(out, off + j);
                    }
                    for (; j < d; j++) out[off + j] = s * (dys[j] - a - xhat[j] * b);
                }
                partG[c] = pg;
                partB[c] = pb;
            }
        });
        if (dgamma != null) {
            chunks.fold(partG, dgamma.storage.f32);
            chunks.fold(partB, dbeta.storage.f32);
        }
    }

    /** {@code NeuralOps.layerNormDoubleBackward}'s formulas per row, in rows chunked as {@link #layerNormBackward}'s. */
    @Override
    public void layerNormDoubleBackward(Tensor a, Tensor c, Tensor b, Tensor gOut, Tensor x, Tensor gamma, Tensor mean,
                                        Tensor rstd, Tensor gg, Tensor gx, Tensor ggamma) {
        if (!f32(a, c, b, gOut, x, gamma)) {
            super.layerNormDoubleBackward(a, c, b, gOut, x, gamma, mean, rstd, gg, gx, ggamma);
            return;
        }
        int d = x.shape().dim(-1);
        int rows = d == 0 ? 0 : x.size() / d;
        float[] ca = a.storage.f32, g = gOut.storage.f32, in = x.storage.f32, mu = mean.storage.f32, rs = rstd.storage.f32;
        float[] outG = gg.storage.f32, outX = gx.storage.f32;
        float[] gm = gamma == null ? null : gamma.storage.f32, cc = c == null ? null : c.storage.f32, cb = b == null ? null : b.storage.f32;
        MemberRowChunks chunks = MemberRowChunks.of(rows, d, gm == null ? 0 : gm.length);
        float[][] partG = new float[chunks.count()][];
        Parallel.forRange(chunks.count(), Parallel.grain((long) MemberRowChunks.ROWS * d * 12, ELEMENTWISE_GRAIN), (from, to) -> {
            float[] xh = new float[d], gh = new float[d], u = new float[d];
            for (int ch = from; ch < to; ch++) {
                int gOff = chunks.member(ch) * d, first = chunks.first(ch), last = chunks.last(ch);
                float[] pg = gm == null ? null : new float[d];
                for (int r = first; r < last; r++) {
                    int o = r * d;
                    float m = mu[r], s = rs[r], m1 = 0, m2 = 0, am = 0, ma = 0, ag = 0;
                    for (int j = 0; j < d; j++) {
                        xh[j] = (in[o + j] - m) * s;
                        gh[j] = gm == null ? g[o + j] : g[o + j] * gm[gOff + j];
                        m1 += gh[j];
                        m2 += gh[j] * xh[j];
                        am += ca[o + j];
                        ma += ca[o + j] * xh[j];
                        ag += ca[o + j] * gh[j];
                    }
                    m1 /= d;
                    m2 /= d;
                    am /= d;
                    ma /= d;
                    float sr = ag - d * am * m1 - d * ma * m2, mu1 = 0, mu2 = 0;
                    for (int j = 0; j < d; j++) {
                        float pa = ca[o + j] - am - xh[j] * ma;
                        if (gm == null) {
                            outG[o + j] = s * pa;
                            u[j] = -s * (m2 * ca[o + j] + ma * gh[j]);
                        } else {
                            outG[o + j] = s * gm[gOff + j] * pa + cc[gOff + j] * xh[j] + cb[gOff + j];
                            pg[j] += s * g[o + j] * pa;
                            u[j] = cc[gOff + j] * g[o + j] - s * (m2 * ca[o + j] + ma * gh[j]);
                        }
                        mu1 += u[j];
                        mu2 += u[j] * xh[j];
                    }
                    mu1 /= d;
                    mu2 /= d;
                    float tail = s * s * sr / d;
                    for (int j = 0; j < d; j++) outX[o + j] = s * (u[j] - mu1 - xh[j] * mu2) - tail * xh[j];
                }
                partG[ch] = pg;
            }
        });
        if (ggamma != null) chunks.fold(partG, ggamma.storage.f32);
    }

    @Override
    public double squaredErrorSum(Tensor a, Tensor b) {
        if (!f32(a, b)) return super.squaredErrorSum(a, b);
        float[] x = a.storage.f32, y = b.storage.f32;
        int chunk = ELEMENTWISE_GRAIN;
        int chunks = (x.length + chunk - 1) / chunk;
        double[] part = new double[chunks];
        Parallel.forRange(chunks, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                double s = 0;
                for (int i = c * chunk; i < Math.min(x.length, (c + 1) * chunk); i++) {
                    double dd = x[i] - y[i];
                    s += dd * dd;
                }
                part[c] = s;
            }
        });
        double s = 0;
        for (double p : part) s += p;
        return s;
    }

    // ---- in-place updates: float32 in PyTorch's op order, each scalar rounded to float32 as PyTorch does ----

    @Override
    public void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double[] lr, double beta1, double beta2, double eps,
                      double weightDecay, long step) {
        if (!f32(p, g, m, v)) {
            super.adamw(p, g, m, v, lr, beta1, beta2, eps, weightDecay, step);
            return;
        }
        float[] pa = p.storage.f32, ga = g.storage.f32, ma = m.storage.f32, va = v.storage.f32;
        int inner = p.size() / lr.length;
        double bc1 = 1 - StrictMath.pow(beta1, step);
        float w = (float) (1 - beta1), b2 = (float) beta2, c2 = (float) (1 - beta2), e = (float) eps;
        float bc2Sqrt = (float) StrictMath.sqrt(1 - StrictMath.pow(beta2, step));
        Parallel.forRange(p.size(), ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; ) {
                int member = i / inner, end = Math.min(to, (member + 1) * inner);
                float decay = (float) (1 - lr[member] * weightDecay), negStepSize = (float) -(lr[member] / bc1);
                for (; i < end; i++) {
                    float gi = ga[i];
                    float mi = w < 0.5f ? Math.fma(w, gi - ma[i], ma[i]) : Math.fma(w - 1, gi - ma[i], gi);
                    float vi = va[i] * b2 + c2 * gi * gi;
                    ma[i] = mi;
                    va[i] = vi;
                    pa[i] = pa[i] * decay + negStepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + e);
                }
            }
        });
    }

    @Override
    public void sgd(Tensor p, Tensor g, Tensor buf, double[] lr, double momentum, double dampening, double weightDecay,
                    boolean nesterov, boolean firstStep) {
        if (!f32(p, g, buf)) {
            super.sgd(p, g, buf, lr, momentum, dampening, weightDecay, nesterov, firstStep);
            return;
        }
        float[] pa = p.storage.f32, ga = g.storage.f32, ba = buf == null ? null : buf.storage.f32;
        int inner = p.size() / lr.length;
        float wd = (float) weightDecay, mu = (float) momentum, keep = (float) (1 - dampening);
        Parallel.forRange(p.size(), ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; ) {
                int member = i / inner, end = Math.min(to, (member + 1) * inner);
                float negLr = (float) -lr[member];
                for (; i < end; i++) {
                    float d = weightDecay != 0 ? Math.fma(wd, pa[i], ga[i]) : ga[i];
                    if (ba != null) {
                        float b = firstStep ? d : Math.fma(keep, d, ba[i] * mu);
                        ba[i] = b;
                        d = nesterov ? Math.fma(mu, b, d) : b;
                    }
                    pa[i] = Math.fma(negLr, d, pa[i]);
                }
            }
        });
    }

    @Override
    public void scale(Tensor t, double[] c) {
        if (!f32(t)) {
            super.scale(t, c);
            return;
        }
        float[] x = t.storage.f32;
        int inner = t.size() / c.length;
        Parallel.forRange(t.size(), ELEMENTWISE_GRAIN, (from, to) -> {
            for (int i = from; i < to; ) {
                int member = i / inner, end = Math.min(to, (member + 1) * inner);
                float factor = (float) c[member];
                for (; i < end; i++) x[i] *= factor;
            }
        });
    }
}
