package org.biaslab.probe.spectrum;

import org.ejml.data.Complex_F64;

/**
 * The dominant eigenvalue of the simplified layer's update I + Hᵀ⊗A, whose eigenvalues are 1 + λ_i^A λ_j^H
 * (papers.md §P2.2): the pair (i, j) maximising |1 + λ_i^A λ_j^H|, its modulus, and what it predicts for
 * X ← X + A X H. Pairs within a relative tolerance of the maximum count as tied; the class depends on which eigenvalues
 * of A the tied pairs use, because A's eigenvector is what the tokens converge along:
 * <ul>
 * <li>{@link Kind#SMOOTHING}: every tied pair uses A's eigenvalue 1, whose eigenvector is the constant token 1: all
 *     tokens converge to one vector (input convergence, oversmoothing).</li>
 * <li>{@link Kind#SHARPENING}: every tied pair uses one and the same other eigenvalue of A: tokens become collinear
 *     along a non-constant eigenvector of A (angle convergence).</li>
 * <li>{@link Kind#TIED}: the tied pairs use several distinct eigenvalues of A (e.g. a complex-conjugate pair of A, or
 *     λ^H = 0 where every λ^A gives 1): no single A-mode dominates, no rank collapse.</li>
 * </ul>
 * A tie among eigenvalues of H alone (a complex-conjugate pair of H with the same λ^A) keeps A's class: the tokens
 * still follow A's eigenvector, while the feature direction rotates.
 */
public record Dominance(int i, int j, double modulus, Kind kind) {
    /** What the dominant pair predicts; see the record comment. */
    public enum Kind { SMOOTHING, SHARPENING, TIED }

    /** The default tolerance: pairs within 1e-6 relative of the maximum tie; eigenvalues within 1e-6 are equal. */
    public static final double TOLERANCE = 1e-6;

    /** 1 + λ^A λ^H for complex eigenvalues. */
    public static Complex_F64 update(Complex_F64 a, Complex_F64 h) {
        return new Complex_F64(1 + a.real * h.real - a.imaginary * h.imaginary, a.real * h.imaginary + a.imaginary * h.real);
    }

    /**
     * The dominant pair over eigenvalues {@code a} of A (row-stochastic: one of them is 1) and {@code h} of H;
     * {@code tol} is the relative tolerance of a tie and the distance within which two eigenvalues are the same.
     */
    public static Dominance of(Complex_F64[] a, Complex_F64[] h, double tol) {
        if (a.length == 0 || h.length == 0) throw new IllegalArgumentException("dominance: empty spectrum");
        double[][] mod = new double[a.length][h.length];
        int bi = 0, bj = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < h.length; j++) {
                mod[i][j] = update(a[i], h[j]).getMagnitude();
                if (mod[i][j] > mod[bi][bj]) { bi = i; bj = j; }
            }
        }
        double max = mod[bi][bj];
        boolean allConstant = true, oneMode = true;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < h.length; j++) {
                if (mod[i][j] < max * (1 - tol)) continue;
                allConstant &= distance(a[i], new Complex_F64(1, 0)) <= tol;
                oneMode &= distance(a[i], a[bi]) <= tol;
            }
        }
        Kind kind = allConstant ? Kind.SMOOTHING : oneMode ? Kind.SHARPENING : Kind.TIED;
        return new Dominance(bi, bj, max, kind);
    }

    private static double distance(Complex_F64 x, Complex_F64 y) {
        return Math.hypot(x.real - y.real, x.imaginary - y.imaginary);
    }
}
