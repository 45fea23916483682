package org.biaslab.probe.curvature;

import java.util.Arrays;
import org.biaslab.tensor.Rng;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;

/** Test oracles: explicit symmetric matrices as operators (one per member), built with known spectra, and EJML's dense eigenvalues. */
final class Dense {
    private Dense() {}

    /** The operator v_e ↦ A_e v_e, counting its applications. */
    static final class Matrices implements LinearOperator {
        final DMatrixRMaj[] a;
        int applications;

        Matrices(DMatrixRMaj... a) {
            this.a = a;
        }

        @Override
        public int members() {
            return a.length;
        }

        @Override
        public int dim() {
            return a[0].numRows;
        }

        @Override
        public double[][] apply(double[][] v) {
            applications++;
            double[][] out = new double[a.length][];
            for (int e = 0; e < a.length; e++) {
                DMatrixRMaj y = new DMatrixRMaj(dim(), 1);
                CommonOps_DDRM.mult(a[e], DMatrixRMaj.wrap(dim(), 1, v[e].clone()), y);
                out[e] = y.data;
            }
            return out;
        }
    }

    /** Q diag(λ) Qᵀ with Q a random orthogonal matrix (EJML's QR of a Gaussian one). */
    static DMatrixRMaj withEigenvalues(double[] lambda, long seed) {
        int n = lambda.length;
        Rng rng = new Rng(seed);
        DMatrixRMaj g = new DMatrixRMaj(n, n);
        for (int i = 0; i < n * n; i++) g.data[i] = rng.normal();
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(n, n);
        qr.decompose(g);
        DMatrixRMaj q = qr.getQ(null, false), qd = new DMatrixRMaj(n, n), a = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) qd.set(i, j, q.get(i, j) * lambda[j]);
        CommonOps_DDRM.multTransB(qd, q, a);
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) a.set(j, i, a.get(i, j)); // exactly symmetric
        return a;
    }

    static DMatrixRMaj diagonal(double... d) {
        DMatrixRMaj a = new DMatrixRMaj(d.length, d.length);
        for (int i = 0; i < d.length; i++) a.set(i, i, d[i]);
        return a;
    }

    /** Eigenvalues of a symmetric matrix, descending (EJML's dense solver). */
    static double[] eigenvalues(DMatrixRMaj a) {
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(a.numRows, false, true);
        if (!eig.decompose(a.copy())) throw new IllegalStateException("eig failed");
        double[] v = new double[a.numRows];
        for (int i = 0; i < v.length; i++) v[i] = eig.getEigenvalue(i).real;
        Arrays.sort(v);
        for (int i = 0; i < v.length / 2; i++) {
            double t = v[i];
            v[i] = v[v.length - 1 - i];
            v[v.length - 1 - i] = t;
        }
        return v;
    }

    static double trace(DMatrixRMaj a) {
        return CommonOps_DDRM.trace(a);
    }

    /** The matrix of an operator (member e), column by column. */
    static DMatrixRMaj matrixOf(LinearOperator op, int e) {
        int n = op.dim();
        DMatrixRMaj m = new DMatrixRMaj(n, n);
        for (int j = 0; j < n; j++) {
            double[][] unit = new double[op.members()][n];
            unit[e][j] = 1;
            double[] col = op.apply(unit)[e];
            for (int i = 0; i < n; i++) m.set(i, j, col[i]);
        }
        return m;
    }
}
