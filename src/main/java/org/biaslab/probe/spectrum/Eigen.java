package org.biaslab.probe.spectrum;

import org.ejml.data.Complex_F64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/** Eigenvalues and eigenvectors of small dense non-symmetric matrices (EJML's general eigen decomposition). */
public final class Eigen {
    private Eigen() {}

    /** A square matrix's eigenvalues, complex ones as conjugate pairs, in EJML's order. */
    public static Complex_F64[] values(DMatrixRMaj m) {
        return decompose(m, false).values();
    }

    /** Eigenvalues and, for the real ones, unit right eigenvectors (null at a complex eigenvalue). */
    public record Decomposition(Complex_F64[] values, DMatrixRMaj[] vectors) {}

    /** The decomposition of a square matrix, with right eigenvectors of the real eigenvalues. */
    public static Decomposition withVectors(DMatrixRMaj m) {
        return decompose(m, true);
    }

    private static Decomposition decompose(DMatrixRMaj m, boolean vectors) {
        if (m.numRows != m.numCols) throw new IllegalArgumentException("eigenvalues: matrix is " + m.numRows + " × " + m.numCols + ", not square");
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m.numRows, vectors);
        if (!eig.decompose(eig.inputModified() ? m.copy() : m)) {
            throw new IllegalArgumentException("eigenvalues: EJML's decomposition of a " + m.numRows + " × " + m.numCols + " matrix did not converge");
        }
        int n = eig.getNumberOfEigenvalues();
        Complex_F64[] values = new Complex_F64[n];
        DMatrixRMaj[] vecs = new DMatrixRMaj[n];
        for (int i = 0; i < n; i++) {
            Complex_F64 l = eig.getEigenvalue(i);
            values[i] = new Complex_F64(l.real, l.imaginary);
            if (vectors && eig.getEigenVector(i) != null) vecs[i] = eig.getEigenVector(i).copy();
        }
        return new Decomposition(values, vecs);
    }
}
