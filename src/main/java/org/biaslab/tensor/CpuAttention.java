package org.biaslab.tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 CPU kernels of fused attention ({@link Backend#attention}): the (item, head) pairs run in parallel, each
 * reading its head's columns of q, k and v in place, so no head is ever permuted into a separate tensor. Every sum is
 * one chain in a fixed order (no horizontal vector reductions), so results depend neither on the number of threads
 * nor on JIT warm-up. Short heads go to {@link CpuAttentionLanes}, which computes the same bits across (item, head)
 * pairs; here every row of keys is one vector loop.
 */
final class CpuAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Multiply-adds per parallel chunk. */
    private static final long GRAIN = 1 << 17;

    private CpuAttention() {}

    /**
     * Whether {@link CpuAttentionLanes} is faster: measured on Zen 5 with AVX-512 and AVX2, it is 1.3–2.2× faster up
     * to S·dh = 1280 (P1: 9·16, 20·64) and even or slower from 2048 (S = 32, dh = 64; S = 128, dh = 32).
     */
    static boolean lanes(int s, int dh) {
        return (long) s * dh <= 1280;
    }

    /** q, z (N, T, H·dh); k, v (N, S, H·dh); p (N, H, T, S), or null: the probabilities are not kept. */
    static void forward(float[] q, float[] k, float[] v, int items, int heads, int t, int s, int dh, float scale,
                        boolean causal, float[] z, float[] p) {
        if (lanes(s, dh)) {
            CpuAttentionLanes.forward(q, k, v, items, heads, t, s, dh, scale, causal, z, p);
            return;
        }
        int w = heads * dh;
        Parallel.forRange(items * heads, Parallel.grain(2L * t * s * dh, GRAIN), (from, to) -> {
            float[] row = new float[s], kt = new float[dh * s];
            for (int pair = from; pair < to; pair++) {
                int n = pair / heads, h = pair % heads;
                int qo = n * t * w + h * dh, ko = n * s * w + h * dh, po = pair * t * s;
                transpose(k, ko, w, s, dh, kt); // (dh, S): a query's scores are then one axpy per feature
                for (int i = 0; i < t; i++) {
                    scores(q, qo + i * w, kt, s, dh, row);
                    int last = causal ? i + s - t : s - 1; // later keys are masked
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < s; j++) {
                        row[j] = j <= last ? row[j] * scale : Float.NEGATIVE_INFINITY;
                        max = Math.max(max, row[j]);
                    }
                    FloatExp.shifted(row, 0, s, max, row, 0);
                    float sum = 0f;
                    for (int j = 0; j < s; j++) sum += row[j];
                    float inv = 1f / sum;
                    int zo = qo + i * w;
                    Arrays.fill(z, zo, zo + dh, 0f);
                    for (int j = 0; j < s; j++) {
                        float pij = row[j] * inv;
                        if (p != null) p[po + i * s + j] = pij;
                        axpy(pij, v, ko + j * w, z, zo, dh);
                    }
                }
            }
        });
    }

    /**
     * dS = P ⊙ (G Vᵀ − rowsum(P ⊙ G Vᵀ))·scale; dQ = dS K, dK = dSᵀ Q, dV = Pᵀ G, per (item, head). p may be null
     * where {@link #lanes} applies: the lanes recompute it ({@code causal} as in the forward pass).
     */
    static void backward(float[] gz, float[] q, float[] k, float[] v, float[] p, int items, int heads, int t, int s,
                         int dh, float scale, boolean causal, float[] dq, float[] dk, float[] dv) {
        if (lanes(s, dh)) {
            CpuAttentionLanes.backward(gz, q, k, v, p, items, heads, t, s, dh, scale, causal, dq, dk, dv);
            return;
        }
        if (p == null) throw new IllegalArgumentException("attention backward: the probabilities are needed for S·dh = " + s * dh);
        int w = heads * dh;
        Parallel.forRange(items * heads, Parallel.grain(5L * t * s * dh, GRAIN), (from, to) -> {
            float[] ds = new float[s], vt = new float[dh * s];
            for (int pair = from; pair < to; pair++) {
                int n = pair / heads, h = pair % heads;
                int qo = n * t * w + h * dh, ko = n * s * w + h * dh, po = pair * t * s;
                transpose(v, ko, w, s, dh, vt);
                for (int j = 0; j < s; j++) {
                    Arrays.fill(dk, ko + j * w, ko + j * w + dh, 0f);
                    Arrays.fill(dv, ko + j * w, ko + j * w + dh, 0f);
                }
                for (int i = 0; i < t; i++) {
                    int ro = qo + i * w;
                    scores(gz, ro, vt, s, dh, ds); // dP row
                    float r = 0f;
                    for (int j = 0; j < s; j++) r += p[po + i * s + j] * ds[j];
                    Arrays.fill(dq, ro, ro + dh, 0f);
                    for (int j = 0; j < s; j++) {
                        float pij = p[po + i * s + j], dij = pij * (ds[j] - r) * scale;
                        axpy(dij, k, ko + j * w, dq, ro, dh);
                        axpy(dij, q, ro, dk, ko + j * w, dh);
                        axpy(pij, gz, ro, dv, ko + j * w, dh);
                    }
                }
            }
        });
    }

    /**
     * The second derivatives of {@link #backward} ({@code FusedAttention.doubleBackward}'s formulas), one query row
     * at a time: its rows of Δ, E and Ψ feed ∂/∂G and ∂/∂Q at once and are accumulated into ∂/∂K and ∂/∂V.
     */
    static void doubleBackward(float[] aq, float[] ak, float[] av, float[] gz, float[] q, float[] k, float[] v, float[] p,
                               int items, int heads, int t, int s, int dh, float scale, float[] gg, float[] gq, float[] gk,
                               float[] gv) {
        int w = heads * dh;
        Parallel.forRange(items * heads, Parallel.grain(10L * t * s * dh, GRAIN), (from, to) -> {
            float[] kt = new float[dh * s], vt = new float[dh * s], akt = new float[dh * s], avt = new float[dh * s];
            float[] dp = new float[s], wr = new float[s], u = new float[s], tmp = new float[s];
            for (int pair = from; pair < to; pair++) {
                int n = pair / heads, h = pair % heads;
                int qo = n * t * w + h * dh, ko = n * s * w + h * dh, po = pair * t * s;
                transpose(k, ko, w, s, dh, kt);
                transpose(v, ko, w, s, dh, vt);
                transpose(ak, ko, w, s, dh, akt);
                transpose(av, ko, w, s, dh, avt);
                for (int j = 0; j < s; j++) {
                    Arrays.fill(gk, ko + j * w, ko + j * w + dh, 0f);
                    Arrays.fill(gv, ko + j * w, ko + j * w + dh, 0f);
                }
                for (int i = 0; i < t; i++) {
                    int ro = qo + i * w, pr = po + i * s;
                    scores(gz, ro, vt, s, dh, dp); // dP row
                    scores(aq, ro, kt, s, dh, wr);
                    scores(q, ro, akt, s, dh, tmp);
                    scores(gz, ro, avt, s, dh, u); // (G A_vᵀ) row
                    float rho = 0f, sigma = 0f;
                    for (int j = 0; j < s; j++) {
                        wr[j] = scale * (wr[j] + tmp[j]); // W row
                        rho += p[pr + j] * dp[j];
                        sigma += p[pr + j] * wr[j];
                    }
                    float tau = 0f;
                    for (int j = 0; j < s; j++) {
                        u[j] += wr[j] * (dp[j] - rho) - sigma * dp[j]; // U row
                        tau += p[pr + j] * u[j];
                    }
                    Arrays.fill(gg, ro, ro + dh, 0f);
                    Arrays.fill(gq, ro, ro + dh, 0f);
                    for (int j = 0; j < s; j++) {
                        float pij = p[pr + j], delta = pij * (dp[j] - rho), e = pij * (wr[j] - sigma), psi = pij * (u[j] - tau);
                        int kr = ko + j * w;
                        axpy(pij, av, kr, gg, ro, dh);
                        axpy(e, v, kr, gg, ro, dh);
                        axpy(scale * delta, ak, kr, gq, ro, dh);
                        axpy(scale * psi, k, kr, gq, ro, dh);
                        axpy(scale * delta, aq, ro, gk, kr, dh);
                        axpy(scale * psi, q, ro, gk, kr, dh);
                        axpy(e, gz, ro, gv, kr, dh);
                    }
                }
            }
        });
    }

    /** out (dh, S) = the (S, dh) block of a at offset o with row stride w, transposed. */
    private static void transpose(float[] a, int o, int w, int s, int dh, float[] out) {
        for (int j = 0; j < s; j++) for (int c = 0; c < dh; c++) out[c * s + j] = a[o + j * w + c];
    }

    /** row[j] = Σ_c x[xo + c]·mt[c, j] over c in order (one FMA chain per key, whatever the vector width). */
    private static void scores(float[] x, int xo, float[] mt, int s, int dh, float[] row) {
        Arrays.fill(row, 0, s, 0f);
        for (int c = 0; c < dh; c++) axpy(x[xo + c], mt, c * s, row, 0, s);
    }

    /** y[yo … yo+n) += α·x[xo … xo+n), each element one FMA. */
    private static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int c = 0;
        FloatVector a = FloatVector.broadcast(S, alpha);
        for (; c <= n - L; c += L) FloatVector.fromArray(S, x, xo + c).fma(a, FloatVector.fromArray(S, y, yo + c)).intoArray(y, yo + c);
        for (; c < n; c++) y[yo + c] = Math.fma(alpha, x[xo + c], y[yo + c]);
    }
}
