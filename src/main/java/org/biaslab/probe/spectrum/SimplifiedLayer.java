package org.biaslab.probe.spectrum;

import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * P2's simplified layer X ← X + A X H (papers.md §P2.2): one head with a fixed row-stochastic A (n × n) and a fixed H
 * (d × d), a residual connection, no norm and no feed-forward. With column-stacking vec,
 * vec(X + A X H) = (I + Hᵀ⊗A) vec(X), whose eigenvalues are 1 + λ_i^A λ_j^H; the dominant pair predicts where the
 * normalised iterates go: along v_i^A w_jᵀ, with v_i^A A's right eigenvector and w_j H's left one (w_jᵀ H = λ_j w_jᵀ).
 */
public final class SimplifiedLayer {
    private SimplifiedLayer() {}

    /** One step: X + A X H, (n, n) x (n, d) x (d, d) -> (n, d). */
    public static DMatrixRMaj step(DMatrixRMaj a, DMatrixRMaj h, DMatrixRMaj x) {
        DMatrixRMaj next = x.copy();
        CommonOps_DDRM.multAdd(CommonOps_DDRM.mult(a, x, null), h, next);
        return next;
    }

    /** {@code steps} steps from {@code x}, rescaled to ‖X‖_F = 1 after each. */
    public static DMatrixRMaj iterate(DMatrixRMaj a, DMatrixRMaj h, DMatrixRMaj x, int steps) {
        for (int s = 0; s < steps; s++) {
            x = step(a, h, x);
            CommonOps_DDRM.divide(x, NormOps_DDRM.normF(x));
        }
        return x;
    }

    /** The update matrix I + Hᵀ⊗A (nd × nd) acting on column-stacked vec(X). */
    public static DMatrixRMaj update(DMatrixRMaj a, DMatrixRMaj h) {
        DMatrixRMaj m = CommonOps_DDRM.kron(CommonOps_DDRM.transpose(h, null), a, null);
        for (int i = 0; i < m.numRows; i++) m.add(i, i, 1);
        return m;
    }

    /** The Kronecker spectrum {1 + λ_i^A λ_j^H}, i-major. */
    public static Complex_F64[] spectrum(Complex_F64[] a, Complex_F64[] h) {
        Complex_F64[] out = new Complex_F64[a.length * h.length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < h.length; j++) out[i * h.length + j] = Dominance.update(a[i], h[j]);
        return out;
    }

    /**
     * What the iteration converges to: the dominant pair and, where both of its eigenvalues are real and the class is
     * not {@link Dominance.Kind#TIED}, the unit-norm rank-one direction v_i^A w_jᵀ (n × d), else null.
     */
    public record Prediction(Dominance dominance, Complex_F64 lambdaA, Complex_F64 lambdaH, DMatrixRMaj direction) {}

    /** The prediction for A and H (see {@link Dominance} for {@code tol}). */
    public static Prediction predict(DMatrixRMaj a, DMatrixRMaj h, double tol) {
        Eigen.Decomposition ea = Eigen.withVectors(a);
        Eigen.Decomposition eh = Eigen.withVectors(CommonOps_DDRM.transpose(h, null)); // left eigenvectors of H
        Dominance dom = Dominance.of(ea.values(), eh.values(), tol);
        DMatrixRMaj v = ea.vectors()[dom.i()], w = eh.vectors()[dom.j()];
        DMatrixRMaj direction = null;
        if (v != null && w != null && dom.kind() != Dominance.Kind.TIED) {
            direction = CommonOps_DDRM.multTransB(v, w, null); // (n, 1) x (d, 1)ᵀ -> (n, d)
            CommonOps_DDRM.divide(direction, NormOps_DDRM.normF(direction));
        }
        return new Prediction(dom, ea.values()[dom.i()], eh.values()[dom.j()], direction);
    }

    /** |cos| of the angle between vec(X) and vec(Y): 1 when they span the same line. */
    public static double alignment(DMatrixRMaj x, DMatrixRMaj y) {
        if (x.numRows != y.numRows || x.numCols != y.numCols) throw new IllegalArgumentException("alignment: shapes differ");
        double dot = 0;
        for (int k = 0; k < x.getNumElements(); k++) dot += x.data[k] * y.data[k];
        return Math.abs(dot) / (NormOps_DDRM.normF(x) * NormOps_DDRM.normF(y));
    }
}
