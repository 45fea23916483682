package org.biaslab.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuAttention}'s kernels for short heads (P1: d_head 16, 5–9 tokens), vectorised across (item, head) pairs
 * instead of along a row: lane l of a block holds pair {@code first + l}, whose rows of q, k, v (gz, p) are gathered
 * lane-major ({@code [row][c][lane]}), so every multiply-add is a full-width vector however short the rows are.
 * Each lane runs exactly {@link CpuAttention}'s per-element operations in the same order (the same FMA chains from
 * 0, the same {@link FloatExp}, the same sums), so the results are bitwise the same.
 */
final class CpuAttentionLanes {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** (item, head) pairs per block. */
    static final int L = S.length();
    /**
     * Multiply-adds per parallel chunk: each chunk allocates its own blocks (P1: ~170 KB forward, ~290 KB backward),
     * so a chunk of one block spent more on zeroing them, and on the young collections they cause, than on a tenth
     * of its arithmetic.
     */
    private static final long GRAIN = 1 << 22;
    /** Chunks per call at least, whatever GRAIN gives, so that small calls still spread over the cores. */
    private static final int MIN_CHUNKS = 16;
    /** Offsets of one lane's elements c, c + 1, … in a lane-major array, for a gather that reads them back as a row. */
    private static final int[] STRIDE = java.util.stream.IntStream.range(0, L).map(l -> l * L).toArray();

    private CpuAttentionLanes() {}

    /** As {@link CpuAttention#forward} (p may be null). */
    static void forward(float[] q, float[] k, float[] v, int items, int heads, int t, int s, int dh, float scale,
                        boolean causal, float[] z, float[] p) {
        int pairs = items * heads, w = heads * dh;
        Parallel.forRange((pairs + L - 1) / L, grain(pairs, 2L * t * s * dh * L), (from, to) -> {
            float[] qb = new float[t * dh * L], kb = new float[s * dh * L], vb = new float[s * dh * L];
            float[] zb = new float[t * dh * L], pb = new float[t * s * L];
            int[] qa = new int[L], ka = new int[L], pa = new int[L];
            FloatVector zero = FloatVector.zero(S);
            for (int block = from; block < to; block++) {
                int first = block * L, n = Math.min(L, pairs - first);
                offsets(first, n, heads, t, dh, qa);
                offsets(first, n, heads, s, dh, ka);
                offsets(first, n, 1, 1, t * s, pa);
                gather(q, qa, t, dh, w, qb);
                gather(k, ka, s, dh, w, kb);
                gather(v, ka, s, dh, w, vb);
                for (int i = 0; i < t; i++) {
                    int pi = i * s * L;
                    probabilities(qb, kb, i, t, s, dh, scale, causal, pb);
                    for (int c = 0; c < dh; c++) { // (T, S) · (S, dh)
                        FloatVector acc = zero;
                        for (int j = 0; j < s; j++)
                            acc = FloatVector.fromArray(S, pb, pi + j * L).fma(FloatVector.fromArray(S, vb, (j * dh + c) * L), acc);
                        acc.intoArray(zb, (i * dh + c) * L);
                    }
                }
                scatter(zb, qa, n, t, dh, w, z);
                if (p != null) scatter(pb, pa, n, 1, t * s, 0, p);
            }
        });
    }

    /**
     * Row i of the lanes' probabilities into pb[i·S·L …]: the scores q_i · k_j (one FMA chain over c from 0), masked
     * after key i + S − T when causal, scaled, then softmax (e^x from {@link FloatExp}, the sum in key order). The
     * forward pass and a backward pass that recomputes P call it alike, so both see the same bits.
     */
    private static void probabilities(float[] qb, float[] kb, int i, int t, int s, int dh, float scale, boolean causal, float[] pb) {
        FloatVector zero = FloatVector.zero(S), minus = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int last = causal ? i + s - t : s - 1, pi = i * s * L; // later keys are masked
        FloatVector max = minus;
        for (int j = 0; j < s; j++) { // (T, dh) · (dh, S): one chain over c per score
            FloatVector row = minus;
            if (j <= last) {
                FloatVector acc = zero;
                for (int c = 0; c < dh; c++)
                    acc = FloatVector.fromArray(S, qb, (i * dh + c) * L).fma(FloatVector.fromArray(S, kb, (j * dh + c) * L), acc);
                row = acc.mul(scale);
            }
            max = max.max(row);
            row.intoArray(pb, pi + j * L);
        }
        FloatVector sum = zero;
        for (int j = 0; j < s; j++) {
            FloatVector e = FloatExp.exp(FloatVector.fromArray(S, pb, pi + j * L).sub(max));
            e.intoArray(pb, pi + j * L);
            sum = sum.add(e);
        }
        FloatVector inv = FloatVector.broadcast(S, 1f).div(sum);
        for (int j = 0; j < s; j++) FloatVector.fromArray(S, pb, pi + j * L).mul(inv).intoArray(pb, pi + j * L);
    }

    /** As {@link CpuAttention#backward}; p null: each block recomputes its probabilities ({@code causal} as in the forward). */
    static void backward(float[] gz, float[] q, float[] k, float[] v, float[] p, int items, int heads, int t, int s,
                         int dh, float scale, boolean causal, float[] dq, float[] dk, float[] dv) {
        int pairs = items * heads, w = heads * dh;
        Parallel.forRange((pairs + L - 1) / L, grain(pairs, 5L * t * s * dh * L), (from, to) -> {
            float[] qb = new float[t * dh * L], gb = new float[t * dh * L], kb = new float[s * dh * L], vb = new float[s * dh * L];
            float[] pb = new float[t * s * L], ds = new float[s * L];
            float[] dqb = new float[t * dh * L], dkb = new float[s * dh * L], dvb = new float[s * dh * L];
            int[] qa = new int[L], ka = new int[L], pa = new int[L];
            FloatVector zero = FloatVector.zero(S);
            for (int block = from; block < to; block++) {
                int first = block * L, n = Math.min(L, pairs - first);
                offsets(first, n, heads, t, dh, qa);
                offsets(first, n, heads, s, dh, ka);
                offsets(first, n, 1, 1, t * s, pa);
                gather(q, qa, t, dh, w, qb);
                gather(gz, qa, t, dh, w, gb);
                gather(k, ka, s, dh, w, kb);
                gather(v, ka, s, dh, w, vb);
                if (p != null) gather(p, pa, 1, t * s, 0, pb);
                java.util.Arrays.fill(dkb, 0f);
                java.util.Arrays.fill(dvb, 0f);
                for (int i = 0; i < t; i++) {
                    int pi = i * s * L;
                    if (p == null) probabilities(qb, kb, i, t, s, dh, scale, causal, pb);
                    FloatVector r = zero;
                    for (int j = 0; j < s; j++) { // dP row = G Vᵀ, one chain over c per key
                        FloatVector acc = zero;
                        for (int c = 0; c < dh; c++)
                            acc = FloatVector.fromArray(S, gb, (i * dh + c) * L).fma(FloatVector.fromArray(S, vb, (j * dh + c) * L), acc);
                        acc.intoArray(ds, j * L);
                        r = r.add(FloatVector.fromArray(S, pb, pi + j * L).mul(acc));
                    }
                    for (int j = 0; j < s; j++) // dS = P ⊙ (dP − r)·scale
                        FloatVector.fromArray(S, pb, pi + j * L).mul(FloatVector.fromArray(S, ds, j * L).sub(r)).mul(scale).intoArray(ds, j * L);
                    for (int c = 0; c < dh; c++) { // dQ = dS K
                        FloatVector acc = zero;
                        for (int j = 0; j < s; j++)
                            acc = FloatVector.fromArray(S, ds, j * L).fma(FloatVector.fromArray(S, kb, (j * dh + c) * L), acc);
                        acc.intoArray(dqb, (i * dh + c) * L);
                    }
                    for (int j = 0; j < s; j++) { // dK += dSᵀ Q, dV += Pᵀ G, row i's turn in each chain
                        FloatVector dij = FloatVector.fromArray(S, ds, j * L), pij = FloatVector.fromArray(S, pb, pi + j * L);
                        for (int c = 0; c < dh; c++) {
                            int e = (j * dh + c) * L, f = (i * dh + c) * L;
                            dij.fma(FloatVector.fromArray(S, qb, f), FloatVector.fromArray(S, dkb, e)).intoArray(dkb, e);
                            pij.fma(FloatVector.fromArray(S, gb, f), FloatVector.fromArray(S, dvb, e)).intoArray(dvb, e);
                        }
                    }
                }
                scatter(dqb, qa, n, t, dh, w, dq);
                scatter(dkb, ka, n, s, dh, w, dk);
                scatter(dvb, ka, n, s, dh, w, dv);
            }
        });
    }

    /** Blocks per chunk: about GRAIN multiply-adds, but at least MIN_CHUNKS chunks. */
    private static int grain(int pairs, long cost) {
        int blocks = (pairs + L - 1) / L;
        return Math.max(1, Math.min(Parallel.grain(cost, GRAIN), blocks / MIN_CHUNKS));
    }

    /** Where each lane's (rows, dh) block starts in a (items, rows, heads·dh) array: pair (m, h) at row 0 of item m, column h·dh. */
    private static void offsets(int first, int n, int heads, int rows, int dh, int[] out) {
        for (int l = 0; l < L; l++) {
            int pair = first + Math.min(l, n - 1); // lanes past the last pair repeat it: read, never written back
            out[l] = pair / heads * rows * heads * dh + pair % heads * dh;
        }
    }

    /** out[(r·dh + c)·L + l] = a[at[l] + r·w + c]: the lanes' (rows, dh) blocks, lane-major. */
    private static void gather(float[] a, int[] at, int rows, int dh, int w, float[] out) {
        if (L < 16) { // 8-lane gathers (AVX2) were slower than scalar copies on Zen 5; 16-lane ones faster
            for (int l = 0; l < L; l++)
                for (int r = 0; r < rows; r++) for (int c = 0; c < dh; c++) out[(r * dh + c) * L + l] = a[at[l] + r * w + c];
            return;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < dh; c++) FloatVector.fromArray(S, a, r * w + c, at, 0).intoArray(out, (r * dh + c) * L);
    }

    /** The inverse of {@link #gather} for the first n lanes, one row at a time (a gather with stride L, {@code STRIDE}). */
    private static void scatter(float[] in, int[] at, int n, int rows, int dh, int w, float[] a) {
        for (int l = 0; l < n; l++)
            for (int r = 0; r < rows; r++) {
                int c = 0, o = at[l] + r * w;
                for (; c <= dh - L; c += L) FloatVector.fromArray(S, in, (r * dh + c) * L + l, STRIDE, 0).intoArray(a, o + c);
                for (; c < dh; c++) a[o + c] = in[(r * dh + c) * L + l];
            }
    }
}
