package org.biaslab.probe.smoothing;

import org.biaslab.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;

/**
 * Oversmoothing metrics of one hidden state X (n tokens × d) (papers.md §P2.2):
 * <ul>
 * <li>{@code cosine}: the mean pairwise cosine similarity of the tokens, (2/(n(n−1))) Σ_{i<j} cos(x_i, x_j);</li>
 * <li>{@code hfcLfc}: ‖HC‖_F / ‖DC‖_F with the low-frequency part DC = (1/n) 1 1ᵀ X (every token replaced by the mean
 *     token) and the high-frequency part HC = X − DC (infinite when the mean token is 0);</li>
 * <li>{@code rankOneDistance}: sqrt(1 − σ₁² / Σ σ_k²), the relative Frobenius distance of X to its best rank-one
 *     approximation (0 when all tokens are collinear).</li>
 * </ul>
 * For a batch, each input is measured on its real tokens and the values are averaged over the inputs.
 */
public record Smoothing(double cosine, double hfcLfc, double rankOneDistance) {
    /** The metrics of one X (n ≥ 2 tokens). */
    public static Smoothing of(DMatrixRMaj x) {
        int n = x.numRows, d = x.numCols;
        if (n < 2) throw new IllegalArgumentException("smoothing: " + n + " token(s); pairwise similarity needs at least 2");
        double[] norm = new double[n], mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                norm[i] += x.get(i, k) * x.get(i, k);
                mean[k] += x.get(i, k) / n;
            }
            norm[i] = Math.sqrt(norm[i]);
        }
        double cos = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < d; k++) dot += x.get(i, k) * x.get(j, k);
                cos += dot / (norm[i] * norm[j]);
            }
        }
        double hc = 0, dc = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                double r = x.get(i, k) - mean[k];
                hc += r * r;
                dc += mean[k] * mean[k];
            }
        }
        double[] s = SingularOps_DDRM.singularValues(x.copy());
        double top = 0, all = 0;
        for (double v : s) {
            top = Math.max(top, v);
            all += v * v;
        }
        double total = NormOps_DDRM.normF(x);
        if (total == 0) throw new IllegalArgumentException("smoothing: X is zero");
        return new Smoothing(cos / (n * (n - 1) / 2.0), Math.sqrt(hc / dc), Math.sqrt(Math.max(0, 1 - top * top / all)));
    }

    /**
     * The metrics of hidden states (B, T, d) averaged over the B inputs, each restricted to the tokens where
     * {@code attentionMask} (B, T) is 1 (null: all tokens).
     */
    public static Smoothing of(Tensor hidden, Tensor attentionMask) {
        if (hidden.shape().rank() != 3) throw new IllegalArgumentException("smoothing: hidden states " + hidden.shape() + " are not (B, T, d)");
        int b = hidden.dim(0), t = hidden.dim(1), d = hidden.dim(2);
        if (attentionMask != null && (attentionMask.dim(0) != b || attentionMask.dim(1) != t)) {
            throw new IllegalArgumentException("smoothing: mask " + attentionMask.shape() + " does not match hidden states " + hidden.shape());
        }
        double[] h = hidden.toDoubleArray();
        int[] mask = attentionMask == null ? null : attentionMask.toIntArray();
        double cos = 0, ratio = 0, rank = 0;
        for (int x = 0; x < b; x++) {
            final int row = x;
            int[] real = java.util.stream.IntStream.range(0, t).filter(i -> mask == null || mask[row * t + i] != 0).toArray();
            DMatrixRMaj m = new DMatrixRMaj(real.length, d);
            for (int r = 0; r < real.length; r++) System.arraycopy(h, (x * t + real[r]) * d, m.data, r * d, d);
            Smoothing s = of(m);
            cos += s.cosine;
            ratio += s.hfcLfc;
            rank += s.rankOneDistance;
        }
        return new Smoothing(cos / b, ratio / b, rank / b);
    }
}
