package org.biaslab.probe.smoothing;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;

/**
 * The asymmetry of a square matrix (papers.md §P2.2, P2's Figure 2 for H = W_V W_O):
 * asym(H) = ‖H − Hᵀ‖_F / ‖H + Hᵀ‖_F, 0 for a symmetric H, about 1 for a Gaussian one (its symmetric and
 * antisymmetric parts have equal expected norms), infinite for an antisymmetric one. Of the three candidates in
 * papers.md it is the one that is ≈ 1 at random initialisation, as P2 reports ≈ 0.95 at the start of training;
 * ‖H − Hᵀ‖/‖H‖ and ‖H − Hᵀ‖/(2‖H‖) give √2 and 1/√2 there.
 */
public final class Asymmetry {
    private Asymmetry() {}

    public static double of(DMatrixRMaj h) {
        if (h.numRows != h.numCols) throw new IllegalArgumentException("asymmetry: matrix is " + h.numRows + " × " + h.numCols + ", not square");
        DMatrixRMaj t = CommonOps_DDRM.transpose(h, null);
        return NormOps_DDRM.normF(CommonOps_DDRM.subtract(h, t, null)) / NormOps_DDRM.normF(CommonOps_DDRM.add(h, t, null));
    }
}
