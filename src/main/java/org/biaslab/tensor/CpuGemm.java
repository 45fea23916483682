package org.biaslab.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 GEMM for the CPU: operands are packed into panels (MR rows of A, NR columns of B, zero-padded, with
 * transposes resolved while packing) and an MR×NR register-blocked FMA micro-kernel computes each tile of C.
 * Work is split over (batch item, row block) pairs. Untransposed A is read in place instead of packed when k ≤ KC
 * or n ≤ 2·NR.
 *
 * <p>Each element of C is one chain of FMAs over k in order, whatever the vector width, tile or split, so the
 * result bits depend on none of them (nor on the thread count). The widest vectors the CPU has are used: on
 * AVX-512 a tile is 8×32, twice the work per instruction of 8×16 on AVX2. MR = 8 keeps 16 accumulators in
 * registers (of 32 on AVX-512) and divides the power-of-two sizes of transformer layers, which then have no edge
 * tiles; with AVX2's 16 registers a tile runs as two halves of four rows, which spill nothing (1.8× the GFLOP/s of
 * the whole tile there). Halves of 4×24 (12 accumulators) would fill the 16 registers exactly, but C2 loads the
 * four broadcasts of A ahead of their FMAs and spills two accumulators: half the speed (docs/benchmarks.md).
 */
final class CpuGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Products of at most this many multiply-adds take the direct path. */
    static final long SMALL = 16L * 16 * 16;
    static final int MR = 8, NR = 2 * L, KC = 256, MC = 96;
    /** MR floats, one row of a packed A panel. */
    private static final VectorSpecies<Float> PANEL = FloatVector.SPECIES_256;
    /** With fewer than 32 vector registers (AVX2: 16), a tile runs as two halves of four rows. */
    private static final boolean HALVES = L < 16;

    private CpuGemm() {}

    static void gemm(float[] a, int[] aOff, boolean ta, float[] b, int[] bOff, boolean tb, float[] c,
                     int m, int n, int k) {
        gemm(a, aOff, ta, b, bOff, tb, null, null, c, m, n, k);
    }

    /**
     * C = op(A) op(B) + bias, the bias row of item i at bias[biasOff[i]] (n floats) added to every row of its C after
     * the product, as a separate add would (the same bits), while the task's rows are still in cache. bias may be
     * null.
     */
    static void gemm(float[] a, int[] aOff, boolean ta, float[] b, int[] bOff, boolean tb, float[] bias, int[] biasOff,
                     float[] c, int m, int n, int k) {
        int batch = aOff.length;
        if (m == 0 || n == 0) return;
        if (k == 0) {
            java.util.Arrays.fill(c, 0, batch * m * n, 0f);
            if (bias != null) for (int bi = 0; bi < batch; bi++) addBias(bias, biasOff[bi], c, bi * m * n, m, n);
            return;
        }
        if ((long) m * n * k <= SMALL) {
            small(a, aOff, ta, b, bOff, tb, c, m, n, k);
            if (bias != null) for (int bi = 0; bi < batch; bi++) addBias(bias, biasOff[bi], c, bi * m * n, m, n);
            return;
        }
        int panelsN = (n + NR - 1) / NR;
        // Row blocks of at most MC rows, equal to within one panel, so that the tasks of a product balance.
        int panelsM = (m + MR - 1) / MR, blocksM = (panelsM + MC / MR - 1) / (MC / MR);
        // B is packed once for all row blocks, unless there are at most two of them (weight gradients: m and n the
        // layer's width, k the batch's rows): then each task packs the slice of B for its k block as it goes, which
        // costs at most twice the packing but no buffer the size of B, written and read back from memory.
        boolean ownB = blocksM <= 2;
        int packedB = panelsN * NR * k;
        float[] bp = ownB ? null : new float[batch * packedB];
        if (!ownB) {
            Parallel.forRange(batch * panelsN, Parallel.grain((long) k * NR, 1 << 16), (from, to) -> {
                for (int t = from; t < to; t++) {
                    int bi = t / panelsN, jp = t % panelsN;
                    packB(b, bOff[bi], tb, k, n, jp, 0, k, bp, bi * packedB + jp * k * NR);
                }
            });
        }
        int blockPanels = (panelsM + blocksM - 1) / blocksM;
        long flopsPerTask = 2L * blockPanels * MR * n * k;
        // Chunks of ~8 MFLOP (~50 µs): small products (64 of 128³) are grouped, so that zeroing each chunk's A
        // buffer and scheduling it cost little beside its arithmetic.
        // A panel is packed to be reused across B's column panels; with one or two of them (the narrow products of
        // small models, n = d) packing costs as much as the multiply, so full tiles read A's rows in place. So they do
        // when k ≤ KC (a transformer's activations times its weights, k = d): a panel's MR rows are then one
        // contiguous run of memory, and the copy gained nothing (one core, AVX2: 20480×128×128 72 → 75 GFLOP/s,
        // 8 of them 80 → 87; with k = 512 the copy wins, 4096×512×512 60 against 52).
        boolean direct = !ta && (panelsN <= 2 || k <= KC);
        Parallel.forRange(batch * blocksM, Parallel.grain(flopsPerTask, 1 << 23), (from, to) -> {
            float[] ap = new float[(direct ? 1 : blockPanels) * MR * Math.min(KC, k)];
            float[] tile = new float[MR * NR];
            float[] own = ownB ? new float[panelsN * NR * Math.min(KC, k)] : null;
            for (int t = from; t < to; t++) {
                int bi = t / blocksM, blk = t % blocksM;
                int i0 = blk * panelsM / blocksM * MR, mc = Math.min(m, (blk + 1) * panelsM / blocksM * MR) - i0;
                for (int p0 = 0; p0 < k; p0 += KC) {
                    int kc = Math.min(KC, k - p0);
                    if (!direct) packA(a, aOff[bi], ta, m, k, i0, mc, p0, kc, ap);
                    if (ownB) for (int jp = 0; jp < panelsN; jp++) packB(b, bOff[bi], tb, k, n, jp, p0, kc, own, jp * kc * NR);
                    float[] bpanels = ownB ? own : bp;
                    for (int jp = 0; jp < panelsN; jp++) {
                        int bBase = ownB ? jp * kc * NR : bi * packedB + (jp * k + p0) * NR;
                        int j0 = jp * NR, nr = Math.min(NR, n - j0);
                        for (int ip = 0; ip * MR < mc; ip++) {
                            int mr = Math.min(MR, mc - ip * MR), row = i0 + ip * MR;
                            int cOff = bi * m * n + row * n + j0;
                            if (direct && mr == MR && nr == NR) {
                                kernelRows(a, aOff[bi] + row * k + p0, k, bpanels, bBase, kc, c, cOff, n, p0 > 0);
                            } else if (direct) {
                                packA(a, aOff[bi], false, m, k, row, mr, p0, kc, ap);
                                edge(ap, 0, bpanels, bBase, kc, c, cOff, n, p0 > 0, mr, nr, tile);
                            } else if (mr == MR && nr == NR) {
                                kernel(ap, ip * MR * kc, bpanels, bBase, kc, c, cOff, n, p0 > 0);
                            } else {
                                edge(ap, ip * MR * kc, bpanels, bBase, kc, c, cOff, n, p0 > 0, mr, nr, tile);
                            }
                        }
                    }
                }
                if (bias != null) addBias(bias, biasOff[bi], c, bi * m * n + i0 * n, mc, n);
            }
        });
    }

    /** c[r·n + j] += bias[off + j] for rows r of a block starting at c[cOff]. */
    private static void addBias(float[] bias, int off, float[] c, int cOff, int rows, int n) {
        for (int r = 0, row = cOff; r < rows; r++, row += n) {
            int j = 0;
            for (; j <= n - L; j += L) {
                FloatVector.fromArray(S, c, row + j).add(FloatVector.fromArray(S, bias, off + j)).intoArray(c, row + j);
            }
            for (; j < n; j++) c[row + j] += bias[off + j];
        }
    }

    /**
     * Tiny products (attention over short sequences: thousands of 8×16×8 matrices) cost more to pack than to
     * multiply, so they run as plain loops. Each element is the same FMA chain over p = 0..k−1 as in the packed
     * kernel, so the result bits do not depend on which path a product takes.
     */
    private static void small(float[] a, int[] aOff, boolean ta, float[] b, int[] bOff, boolean tb, float[] c,
                              int m, int n, int k) {
        Parallel.forRange(aOff.length, Parallel.grain(2L * m * n * k, 1 << 20), (from, to) -> {
            for (int bi = from; bi < to; bi++) {
                int oa = aOff[bi], ob = bOff[bi], oc = bi * m * n;
                int ai = ta ? 1 : k, ap = ta ? m : 1, bp = tb ? 1 : n, bj = tb ? k : 1;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        float acc = 0f;
                        int x = oa + i * ai, y = ob + j * bj;
                        for (int p = 0; p < k; p++, x += ap, y += bp) acc = Math.fma(a[x], b[y], acc);
                        c[oc + i * n + j] = acc;
                    }
                }
            }
        });
    }

    /** Packs rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) as panels of MR rows: ap[(panel·kc + p)·MR + r]. */
    private static void packA(float[] a, int off, boolean ta, int m, int k, int i0, int mc, int p0, int kc, float[] ap) {
        for (int ip = 0; ip * MR < mc; ip++) {
            int base = ip * MR * kc, rows = Math.min(MR, mc - ip * MR), first = i0 + ip * MR;
            if (ta) {
                // op(A) = Aᵀ: the panel's rows are contiguous in each stored row p, so walk p outermost
                for (int p = 0; p < kc; p++) {
                    int src = off + (p0 + p) * m + first, dst = base + p * MR;
                    if (rows == MR) { // one vector of MR = 8 floats: an arraycopy call per 8 floats costs more than the copy
                        FloatVector.fromArray(PANEL, a, src).intoArray(ap, dst);
                        continue;
                    }
                    System.arraycopy(a, src, ap, dst, rows);
                    for (int r = rows; r < MR; r++) ap[dst + r] = 0f;
                }
                continue;
            }
            for (int r = 0; r < MR; r++) {
                if (r >= rows) {
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = 0f;
                } else {
                    int row = off + (first + r) * k + p0;
                    for (int p = 0; p < kc; p++) ap[base + p * MR + r] = a[row + p];
                }
            }
        }
    }

    /**
     * Packs rows [p0, p0+kc) × columns [jp·NR, jp·NR+NR) of op(B) (k × n) as one panel: bp[dst + p·NR + c],
     * zero-padded.
     */
    private static void packB(float[] b, int off, boolean tb, int k, int n, int jp, int p0, int kc, float[] bp, int dst) {
        int j0 = jp * NR, nr = Math.min(NR, n - j0);
        if (tb) {
            for (int c = 0; c < NR; c++) {
                if (c >= nr) {
                    for (int p = 0; p < kc; p++) bp[dst + p * NR + c] = 0f;
                    continue;
                }
                int src = off + (j0 + c) * k + p0;
                for (int p = 0; p < kc; p++) bp[dst + p * NR + c] = b[src + p];
            }
        } else {
            if (nr == NR) { // two vectors per row of the panel instead of an arraycopy call
                for (int p = 0; p < kc; p++) {
                    int src = off + (p0 + p) * n + j0, to = dst + p * NR;
                    FloatVector.fromArray(S, b, src).intoArray(bp, to);
                    FloatVector.fromArray(S, b, src + L).intoArray(bp, to + L);
                }
                return;
            }
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, off + (p0 + p) * n + j0, bp, dst + p * NR, nr);
                for (int c = nr; c < NR; c++) bp[dst + p * NR + c] = 0f;
            }
        }
    }

    /** C[MR×NR] (+)= Apanel · Bpanel over kc. */
    private static void kernel(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff, int ldc,
                               boolean accumulate) {
        if (HALVES) {
            kernel4(ap, aOff, bp, bOff, kc, c, cOff, ldc, accumulate);
            kernel4(ap, aOff + 4, bp, bOff, kc, c, cOff + 4 * ldc, ldc, accumulate);
            return;
        }
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, cOff); c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + ldc); c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc); c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc); c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, cOff + 6 * ldc); c61 = FloatVector.fromArray(S, c, cOff + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, cOff + 7 * ldc); c71 = FloatVector.fromArray(S, c, cOff + 7 * ldc + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
            c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(S);
        }
        int pa = aOff, pb = bOff;
        for (int p = 0; p < kc; p++, pa += MR, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
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
            x = FloatVector.broadcast(S, ap[pa + 6]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, ap[pa + 7]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc); c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc); c51.intoArray(c, cOff + 5 * ldc + L);
        c60.intoArray(c, cOff + 6 * ldc); c61.intoArray(c, cOff + 6 * ldc + L);
        c70.intoArray(c, cOff + 7 * ldc); c71.intoArray(c, cOff + 7 * ldc + L);
    }

    /**
     * As {@link #kernel}, with A read in place: rows r = 0..MR−1 of op(A) start at a[aOff + r·lda] (kc contiguous
     * values each). The same FMAs in the same order, so the same bits.
     */
    private static void kernelRows(float[] a, int aOff, int lda, float[] bp, int bOff, int kc, float[] c, int cOff,
                                   int ldc, boolean accumulate) {
        if (HALVES) {
            kernelRows4(a, aOff, lda, bp, bOff, kc, c, cOff, ldc, accumulate);
            kernelRows4(a, aOff + 4 * lda, lda, bp, bOff, kc, c, cOff + 4 * ldc, ldc, accumulate);
            return;
        }
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, cOff); c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + ldc); c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc); c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc); c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, cOff + 6 * ldc); c61 = FloatVector.fromArray(S, c, cOff + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, cOff + 7 * ldc); c71 = FloatVector.fromArray(S, c, cOff + 7 * ldc + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
            c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = FloatVector.zero(S);
        }
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        int pb = bOff;
        for (int p = 0; p < kc; p++, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[a6 + p]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[a7 + p]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + L);
        c40.intoArray(c, cOff + 4 * ldc); c41.intoArray(c, cOff + 4 * ldc + L);
        c50.intoArray(c, cOff + 5 * ldc); c51.intoArray(c, cOff + 5 * ldc + L);
        c60.intoArray(c, cOff + 6 * ldc); c61.intoArray(c, cOff + 6 * ldc + L);
        c70.intoArray(c, cOff + 7 * ldc); c71.intoArray(c, cOff + 7 * ldc + L);
    }

    /**
     * Four rows of {@link #kernel}'s tile: rows r = 0..3 of the packed panel at ap[aOff + p·MR + r]. Eight
     * accumulators, two B vectors and a broadcast fit AVX2's 16 registers, where the full tile's 16 accumulators
     * spill.
     */
    private static void kernel4(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] c, int cOff,
                                int ldc, boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, cOff); c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + ldc); c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        }
        int pa = aOff, pb = bOff;
        for (int p = 0; p < kc; p++, pa += MR, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector x = FloatVector.broadcast(S, ap[pa]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[pa + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[pa + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[pa + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + L);
    }

    /** Four rows of {@link #kernelRows}: rows r = 0..3 of op(A) at a[aOff + r·lda]. */
    private static void kernelRows4(float[] a, int aOff, int lda, float[] bp, int bOff, int kc, float[] c, int cOff,
                                    int ldc, boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, cOff); c01 = FloatVector.fromArray(S, c, cOff + L);
            c10 = FloatVector.fromArray(S, c, cOff + ldc); c11 = FloatVector.fromArray(S, c, cOff + ldc + L);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + L);
        } else {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        }
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int pb = bOff;
        for (int p = 0; p < kc; p++, pb += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, pb);
            FloatVector b1 = FloatVector.fromArray(S, bp, pb + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + L);
        c10.intoArray(c, cOff + ldc); c11.intoArray(c, cOff + ldc + L);
        c20.intoArray(c, cOff + 2 * ldc); c21.intoArray(c, cOff + 2 * ldc + L);
        c30.intoArray(c, cOff + 3 * ldc); c31.intoArray(c, cOff + 3 * ldc + L);
    }

    /** A partial tile (mr < MR or nr < NR): computed in a full scratch tile, then the valid part is copied. */
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
