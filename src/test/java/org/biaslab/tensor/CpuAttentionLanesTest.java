package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU attention kernels (both {@link CpuAttentionLanes} and whichever path {@link CpuAttention} picks) against
 * the scalar loops they replaced, bit for bit: each element is the same chain of FMAs and roundings in the same order.
 */
class CpuAttentionLanesTest {
    /** The per-(item, head) loops CpuAttention ran before the lanes path, without vectors: the bitwise oracle. */
    static void referenceForward(float[] q, float[] k, float[] v, int items, int heads, int t, int s, int dh, float scale,
                                 boolean causal, float[] z, float[] p) {
        int w = heads * dh;
        float[] row = new float[s];
        for (int pair = 0; pair < items * heads; pair++) {
            int n = pair / heads, h = pair % heads, qo = n * t * w + h * dh, ko = n * s * w + h * dh, po = pair * t * s;
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < s; j++) {
                    row[j] = 0f;
                    for (int c = 0; c < dh; c++) row[j] = Math.fma(q[qo + i * w + c], k[ko + j * w + c], row[j]);
                }
                int last = causal ? i + s - t : s - 1;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < s; j++) {
                    row[j] = j <= last ? row[j] * scale : Float.NEGATIVE_INFINITY;
                    max = Math.max(max, row[j]);
                }
                float sum = 0f;
                for (int j = 0; j < s; j++) {
                    row[j] = FloatExp.exp(row[j] - max);
                    sum += row[j];
                }
                float inv = 1f / sum;
                for (int j = 0; j < s; j++) p[po + i * s + j] = row[j] * inv;
                for (int c = 0; c < dh; c++) {
                    float acc = 0f;
                    for (int j = 0; j < s; j++) acc = Math.fma(p[po + i * s + j], v[ko + j * w + c], acc);
                    z[qo + i * w + c] = acc;
                }
            }
        }
    }

    static void referenceBackward(float[] gz, float[] q, float[] k, float[] v, float[] p, int items, int heads, int t,
                                  int s, int dh, float scale, float[] dq, float[] dk, float[] dv) {
        int w = heads * dh;
        float[] ds = new float[s];
        for (int pair = 0; pair < items * heads; pair++) {
            int n = pair / heads, h = pair % heads, qo = n * t * w + h * dh, ko = n * s * w + h * dh, po = pair * t * s;
            for (int j = 0; j < s; j++)
                for (int c = 0; c < dh; c++) dk[ko + j * w + c] = dv[ko + j * w + c] = 0f;
            for (int i = 0; i < t; i++) {
                int ro = qo + i * w;
                float r = 0f;
                for (int j = 0; j < s; j++) {
                    ds[j] = 0f;
                    for (int c = 0; c < dh; c++) ds[j] = Math.fma(gz[ro + c], v[ko + j * w + c], ds[j]);
                    r += p[po + i * s + j] * ds[j];
                }
                for (int c = 0; c < dh; c++) dq[ro + c] = 0f;
                for (int j = 0; j < s; j++) {
                    float pij = p[po + i * s + j], dij = pij * (ds[j] - r) * scale;
                    for (int c = 0; c < dh; c++) {
                        int e = ko + j * w + c;
                        dq[ro + c] = Math.fma(dij, k[e], dq[ro + c]);
                        dk[e] = Math.fma(dij, q[ro + c], dk[e]);
                        dv[e] = Math.fma(pij, gz[ro + c], dv[e]);
                    }
                }
            }
        }
    }

    private static float[] randn(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * random.nextGaussian());
        return a;
    }

    @ParameterizedTest
    @CsvSource({"37, 2, 5, 9, 16, false", "21, 3, 9, 5, 8, true", "1, 1, 7, 7, 16, true", "13, 4, 6, 6, 64, false",
                "5, 1, 3, 11, 64, true", "9, 2, 20, 20, 64, true", "3, 2, 33, 40, 16, false", "2, 2, 40, 40, 64, true",
                "128, 2, 9, 9, 16, false", "7, 3, 1, 1, 8, false", "3, 2, 37, 41, 4, true", "17, 2, 30, 30, 2, false"})
    void kernelsMatchTheScalarLoopsBitForBit(int items, int heads, int t, int s, int dh, boolean causal) {
        Random random = new Random(items * 31L + t * 7L + s);
        int w = heads * dh;
        float scale = (float) (1 / Math.sqrt(dh));
        float[] q = randn(random, items * t * w), k = randn(random, items * s * w), v = randn(random, items * s * w);
        float[] gz = randn(random, items * t * w);
        float[][] ref = run(0, q, k, v, gz, items, heads, t, s, dh, scale, causal);
        String[] paths = {"reference", "lanes", "dispatched", "lanes recomputing P"};
        for (int path = 1; path <= (CpuAttention.lanes(s, dh) ? 3 : 2); path++) {
            float[][] got = run(path, q, k, v, gz, items, heads, t, s, dh, scale, causal);
            String[] names = {"z", "p", "dq", "dk", "dv"};
            for (int a = 0; a < names.length; a++)
                for (int i = 0; i < ref[a].length; i++)
                    assertEquals(Float.floatToRawIntBits(ref[a][i]), Float.floatToRawIntBits(got[a][i]),
                            paths[path] + " " + names[a] + " element " + i + ": " + got[a][i] + " vs " + ref[a][i]);
        }
    }

    /**
     * z, p, dq, dk, dv from the reference (path 0), CpuAttentionLanes (1), CpuAttention (2) or CpuAttentionLanes'
     * backward recomputing the probabilities (3).
     */
    private static float[][] run(int path, float[] q, float[] k, float[] v, float[] gz, int items, int heads, int t,
                                 int s, int dh, float scale, boolean causal) {
        float[] z = new float[q.length], p = new float[items * heads * t * s], dq = new float[q.length],
                dk = new float[k.length], dv = new float[v.length];
        java.util.Arrays.fill(dk, Float.NaN); // every output element must be written
        java.util.Arrays.fill(dv, Float.NaN);
        switch (path) {
            case 0 -> {
                referenceForward(q, k, v, items, heads, t, s, dh, scale, causal, z, p);
                referenceBackward(gz, q, k, v, p, items, heads, t, s, dh, scale, dq, dk, dv);
            }
            case 1 -> {
                CpuAttentionLanes.forward(q, k, v, items, heads, t, s, dh, scale, causal, z, p);
                CpuAttentionLanes.backward(gz, q, k, v, p, items, heads, t, s, dh, scale, causal, dq, dk, dv);
            }
            case 2 -> {
                CpuAttention.forward(q, k, v, items, heads, t, s, dh, scale, causal, z, p);
                CpuAttention.backward(gz, q, k, v, p, items, heads, t, s, dh, scale, causal, dq, dk, dv);
            }
            default -> { // the lanes' backward recomputing P; p itself from a separate forward pass
                CpuAttentionLanes.forward(q, k, v, items, heads, t, s, dh, scale, causal, z, null);
                CpuAttentionLanes.backward(gz, q, k, v, null, items, heads, t, s, dh, scale, causal, dq, dk, dv);
                CpuAttentionLanes.forward(q, k, v, items, heads, t, s, dh, scale, causal, new float[q.length], p);
            }
        }
        return new float[][] {z, p, dq, dk, dv};
    }
}
