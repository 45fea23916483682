package org.biaslab.tensor;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/**
 * Decompositions of small dense matrices. On the CPU the forward pass runs in float64 (EJML's Householder QR), one
 * matrix per task; on the GPU a kernel factors every matrix of the batch in one launch (Gram–Schmidt with
 * reorthogonalisation, double accumulation), so that no step waits for the host. The backward pass is written with
 * Tensor ops and runs where the tensors are.
 */
final class Linalg {
    private Linalg() {}

    /**
     * QR of (…, m, n), m ≥ n, with diag R ≥ 0. Gradients (Walter and Lehmann 2018; Liao et al. 2019), split by
     * output so that each output records its own node, with copyltu(M) = tril(M) + tril(M, −1)ᵀ:
     * Ā += [Q̄ − Q copyltu(Q̄ᵀ Q)] R⁻ᵀ from Q and Ā += Q copyltu(R R̄ᵀ) R⁻ᵀ from R. They need R invertible (A of
     * full column rank). A backward pass that is itself recorded (second derivatives) uses the recorded Q, R and
     * R⁻ᵀ(R), so the gradients are differentiable again.
     */
    static Qr qr(Tensor a) {
        Shape s = a.shape();
        if (s.rank() < 2) throw new ShapeException("qr: needs a matrix or a batch of matrices, got shape " + s);
        int m = s.dim(-2), n = s.dim(-1);
        if (m < n) throw new ShapeException("qr: needs m >= n rows, got shape " + s);
        int[] rDims = s.dims();
        rDims[rDims.length - 2] = n;
        Tensor qt, rt, rInvTt;
        if (a.device() == Device.CUDA) {
            Tensor in = a.detach();
            qt = Tensor.empty(a.dtype(), s, a.device());
            rt = Tensor.empty(a.dtype(), Shape.of(rDims), a.device());
            rInvTt = Tensor.empty(a.dtype(), Shape.of(rDims), a.device());
            CudaBackend.instance().qr(in, qt, rt, rInvTt);
        } else {
            int count = s.size() / (m * n);
            double[] in = a.detach().toDoubleArray();
            double[] q = new double[count * m * n], r = new double[count * n * n], rInvT = new double[count * n * n];
            Parallel.forRange(count, Parallel.grain((long) m * n * n, 1 << 17), (from, to) -> {
                QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(m, n);
                for (int b = from; b < to; b++) factor(qr, in, b, m, n, q, r, rInvT);
            });
            qt = onDevice(q, s.dims(), a);
            rt = onDevice(r, rDims, a);
            rInvTt = onDevice(rInvT, rDims, a);
        }
        Tensor q0 = qt.detach(), r0 = rt.detach();
        Autograd.record("qr_q", qt, g -> GradMode.isEnabled()
                ? new Tensor[] {fromQ(g, qt, inverseTranspose(rt, rInvTt))} : new Tensor[] {fromQ(g, q0, rInvTt)}, a);
        Autograd.record("qr_r", rt, g -> GradMode.isEnabled()
                ? new Tensor[] {fromR(g, qt, rt, inverseTranspose(rt, rInvTt))} : new Tensor[] {fromR(g, q0, r0, rInvTt)}, a);
        return new Qr(qt, rt);
    }

    /**
     * R⁻ᵀ (its values {@code rInvT}) as a differentiable function of the recorded R: with Y = R⁻ᵀ,
     * dY = −Y dRᵀ Y, so R̄ = −Y Ȳᵀ Y, itself written with Y and differentiable again.
     */
    private static Tensor inverseTranspose(Tensor r, Tensor rInvT) {
        Tensor y = rInvT.detach();
        return Autograd.record("qr_r_inverse_t", y, g -> new Tensor[] {y.matmul(g.transpose(-2, -1)).matmul(y).neg()}, r);
    }

    /** Matrix b of the batch: Q, R with diag R ≥ 0, and R⁻ᵀ, written into their arrays. */
    private static void factor(QRDecomposition<DMatrixRMaj> qr, double[] in, int b, int m, int n, double[] q, double[] r, double[] rInvT) {
        DMatrixRMaj a = new DMatrixRMaj(m, n);
        System.arraycopy(in, b * m * n, a.data, 0, m * n);
        if (!qr.decompose(a)) throw new IllegalArgumentException("qr: the decomposition failed for matrix " + b);
        DMatrixRMaj qb = qr.getQ(null, true), rb = qr.getR(null, true); // (m, n), (n, n)
        for (int k = 0; k < n; k++) {
            if (rb.get(k, k) >= 0) continue;
            for (int j = k; j < n; j++) rb.set(k, j, -rb.get(k, j)); // row k from the diagonal on: no −0 below it
            for (int i = 0; i < m; i++) qb.set(i, k, -qb.get(i, k));
        }
        System.arraycopy(qb.data, 0, q, b * m * n, m * n);
        System.arraycopy(rb.data, 0, r, b * n * n, n * n);
        double[] lower = new double[n * n]; // Rᵀ, lower triangular; its inverse is R⁻ᵀ
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) lower[i * n + j] = rb.get(j, i);
        TriangularSolver_DDRM.invertLower(lower, n);
        System.arraycopy(lower, 0, rInvT, b * n * n, n * n);
    }

    private static Tensor onDevice(double[] values, int[] dims, Tensor like) {
        return Tensor.of(values, dims).to(like.dtype()).to(like.device());
    }

    /** [Q̄ − Q copyltu(Q̄ᵀ Q)] R⁻ᵀ. */
    private static Tensor fromQ(Tensor gq, Tensor q, Tensor rInvT) {
        Tensor m = gq.transpose(-2, -1).matmul(q); // (…, n, m) x (…, m, n) -> (…, n, n)
        return gq.sub(q.matmul(copyltu(m))).matmul(rInvT); // (…, m, n) x (…, n, n) -> (…, m, n)
    }

    /** Q copyltu(R R̄ᵀ) R⁻ᵀ. */
    private static Tensor fromR(Tensor gr, Tensor q, Tensor r, Tensor rInvT) {
        return q.matmul(copyltu(r.matmulT(gr))).matmul(rInvT); // (…, m, n) x (…, n, n) x (…, n, n) -> (…, m, n)
    }

    /**
     * tril(M) + tril(M, −1)ᵀ: the symmetric matrix with M's lower triangle. A recorded backward (second derivatives)
     * composes it from masks so that it is differentiable; otherwise one kernel or loop.
     */
    private static Tensor copyltu(Tensor m) {
        if (GradMode.isEnabled()) {
            int n = m.dim(-1);
            double[] lower = new double[n * n], strict = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) lower[i * n + j] = 1;
                for (int j = 0; j < i; j++) strict[i * n + j] = 1;
            }
            Tensor l = onDevice(lower, new int[] {n, n}, m), ls = onDevice(strict, new int[] {n, n}, m);
            return m.mul(l).add(m.mul(ls).transpose(-2, -1));
        }
        if (m.device() == Device.CUDA) {
            Tensor out = Tensor.empty(m.dtype(), m.shape(), m.device());
            CudaBackend.instance().copyltu(m, out);
            return out;
        }
        int n = m.dim(-1);
        double[] a = m.toDoubleArray(), out = new double[a.length];
        for (int b = 0; b < a.length; b += n * n) {
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) out[b + i * n + j] = a[b + (i >= j ? i * n + j : j * n + i)];
        }
        return Tensor.of(out, m.shape().dims()).to(m.dtype());
    }
}
