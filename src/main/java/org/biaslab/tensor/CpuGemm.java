package org.biaslab.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 GEMM for the CPU: operands are packed into panels (6 rows of A, 16 columns of B, zero-padded, with
 * transposes resolved while packing) and a 6×16 register-blocked FMA micro-kernel computes each tile of C.
 * Work is split over (batch item, row block) pairs.
 */
final class CpuGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int MR = 6, NR = 16, KC = 256, MC = 96;

    private CpuGemm() {}

    static void gemm(float[] a, int[] aOff, boolean ta, float[] b, int[] bOff, boolean tb, float[] c,
                     int m, int n, int k) {
        int batch = aOff.length;
        if (m == 0 || n == 0) return;
        if (k == 0) {
            java.util.Arrays.fill(c, 0, batch * m * n, 0f);
            return;
        }
        int panelsN = (n + NR - 1) / NR;
        int packedB = panelsN * NR * k;
        float[] bp = new float[batch * packedB];
        Parallel.forRange(batch, Parallel.grain((long) k * n, 1 << 16),
                (from, to) -> {
                    for (int i = from; i < to; i++) packB(b, bOff[i], tb, k, n, bp, i * packedB);
                });
        int blocksM = (m + MC - 1) / MC;
        long flopsPerTask = 2L * Math.min(m, MC) * n * k;
        Parallel.forRange(batch * blocksM, Parallel.grain(flopsPerTask, 1 << 21), (from, to) -> {
            float[] ap = new float[MC * KC];
            float[] tile = new float[MR * NR];
            for (int t = from; t < to; t++) {
                int bi = t / blocksM, i0 = (t % blocksM) * MC, mc = Math.min(MC, m - i0);
                for (int p0 = 0; p0 < k; p0 += KC) {
                    int kc = Math.min(KC, k - p0);
                    packA(a, aOff[bi], ta, m, k, i0, mc, p0, kc, ap);
                    for (int jp = 0; jp < panelsN; jp++) {
                        int bBase = bi * packedB + (jp * k + p0) * NR;
                        int j0 = jp * NR, nr = Math.min(NR, n - j0);
                        for (int ip = 0; ip * MR < mc; ip++) {
                            int mr = Math.min(MR, mc - ip * MR);
                            int cOff = bi * m * n + (i0 + ip * MR) * n + j0;
                            if (mr == MR && nr == NR) {
                                kernel(ap, ip * MR * kc, bp, bBase, kc, c, cOff, n, p0 > 0);
                            } else {
                                edge(ap, ip * MR * kc, bp, bBase, kc, c, cOff, n, p0 > 0, mr, nr, tile);
                            }
                        }
                    }
                }
            }
        });
    }

    /** Packs rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) as panels of MR rows: ap[(panel·kc + p)·MR + r]. */
    private static void packA(float[] a, int off, boolean ta, int m, int k, int i0, int mc, int p0, int kc, float[] ap) {
        for (int ip = 0; ip * MR < mc; ip++) {
            int base = ip * MR * kc;
            for (int r = 0; r < MR; r++) {
                int i = i0 + ip * MR + r;
                if (ip * MR + r >= mc) {
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = 0f;
                } else if (ta) {
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = a[off + (p0 + p) * m + i];
                } else {
                    int row = off + i * k + p0;
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = a[row + p];
                }
            }
        }
    }

    /** Packs op(B) (k × n) as panels of NR columns: bp[base + (panel·k + p)·NR + c], zero-padded. */
    private static void packB(float[] b, int off, boolean tb, int k, int n, float[] bp, int base) {
        for (int jp = 0; jp * NR < n; jp++) {
            int j0 = jp * NR, nr = Math.min(NR, n - j0);
            int dst = base + jp * k * NR;
            if (tb) {
                for (int c = 0; c < nr; c++) {
                    int src = off + (j0 + c) * k;
                    for (int p = 0; p < k; p++) bp[dst + p * NR + c] = b[src + p];
                }
            } else {
                for (int p = 0; p < k; p++) System.arraycopy(b, off + p * n + j0, bp, dst + p * NR, nr);
            }
        }
    }

    /** C[6×16] (+)= Apanel · Bpanel over kc. */
    private static void kernel(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc,
                               boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, cOff); c01 = FloatVector.fromArray(S, c, cOff + 8);
            c10 = FloatVector.fromArray(S, c, cOff + ldc); c11 = FloatVector.fromArray(S, c, cOff + ldc + 8);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + 8);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + 8);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc); c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + 8);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc); c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + 8);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(S);
        }
        int pa = aOff, pb = bOff;
        for (int p = 0; p < kc; p++, pa += MR, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + 8);
            FloatVector x = FloatVector.broadcast(S, ap[pa]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[pa + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[pa + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + 8);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + 8);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + 8);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + 8);
        c40.intoArray(c, cOff + 4 * ldc); c41.intoArray(c, cOff + 4 * ldc + 8);
        c50.intoArray(c, cOff + 5 * ldc); c51.intoArray(c, cOff + 5 * ldc + 8);
    }

    /** A partial tile (mr < 6 or nr < 16): computed in a full scratch tile, then the valid part is copied. */
    private static void edge(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc,
                             boolean accumulate, int mr, int nr, float[] tile) {
        java.util.Arrays.fill(tile, 0f);
        if (accumulate) {
            for (int r = 0; r < mr; r++) System.arraycopy(c, cOff + r * ldc, tile, r * NR, nr);
        }
        kernel(ap, aOff, bp, bOff, kc, tile, 0, NR, true);
        for (int r = 0; r < mr; r++) System.arraycopy(tile, r * NR, c, cOff + r * ldc, nr);
    }
}
