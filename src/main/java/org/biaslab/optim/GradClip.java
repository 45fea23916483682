package org.biaslab.optim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.biaslab.tensor.InPlace;
import org.biaslab.tensor.Tensor;

/**
 * Gradient clipping by global L2 norm, PyTorch's {@code clip_grad_norm_}: with N the norm of all gradients
 * together, every gradient is multiplied by maxNorm / (N + 1e-6) when that is below 1 (and by NaN when N is
 * NaN, as there). Norms are summed in double; parameters without a gradient are skipped.
 */
public final class GradClip {
    private GradClip() {}

    /** Clips the gradients of {@code params} in place to total norm {@code maxNorm}; returns the norm before clipping. */
    public static double clipNorm(Collection<Tensor> params, double maxNorm) {
        checkMaxNorm(maxNorm);
        List<Tensor> grads = grads(params);
        double sq = 0;
        for (Tensor g : grads) sq += sumOfSquares(g.toDoubleArray(), 0, g.size());
        double norm = Math.sqrt(sq);
        scale(grads, new double[] {coefficient(maxNorm, norm)});
        return norm;
    }

    /**
     * Clips each ensemble member separately: member e's gradients (index e of axis 0 of every gradient) are
     * clipped to norm {@code maxNorm} by their own norm, exactly as in a separate run. Returns the E norms.
     */
    public static double[] clipNormPerMember(Collection<Tensor> params, double maxNorm) {
        checkMaxNorm(maxNorm);
        List<Tensor> grads = grads(params);
        if (grads.isEmpty()) return new double[0];
        int members = grads.getFirst().shape().rank() == 0 ? -1 : grads.getFirst().dim(0);
        for (Tensor g : grads) {
            if (g.shape().rank() == 0 || g.dim(0) != members) {
                throw new IllegalArgumentException("clipNormPerMember: gradient of shape " + g.shape() + " has no member axis of size "
                        + members + " (shape of the first: " + grads.getFirst().shape() + ")");
            }
        }
        double[] sq = new double[members];
        for (Tensor g : grads) {
            int inner = members == 0 ? 0 : g.size() / members;
            double[] v = g.toDoubleArray(); // one copy, also from the GPU
            for (int e = 0; e < members; e++) sq[e] += sumOfSquares(v, e * inner, (e + 1) * inner);
        }
        double[] norms = new double[members], coef = new double[members];
        for (int e = 0; e < members; e++) {
            norms[e] = Math.sqrt(sq[e]);
            coef[e] = coefficient(maxNorm, norms[e]);
        }
        if (members > 0) scale(grads, coef);
        return norms;
    }

    /** PyTorch's clamp(maxNorm / (norm + 1e-6), max=1), which keeps NaN. */
    private static double coefficient(double maxNorm, double norm) {
        double c = maxNorm / (norm + 1e-6);
        return c >= 1 ? 1 : c;
    }

    /** Scales each gradient once per storage: the backward of {@code a.add(b)} can give a and b one gradient tensor. */
    private static void scale(List<Tensor> grads, double[] coef) {
        boolean identity = true;
        for (double c : coef) identity &= c == 1;
        if (identity) return;
        List<Tensor> done = new ArrayList<>();
        for (Tensor g : grads) {
            if (done.stream().noneMatch(d -> InPlace.sharesStorage(d, g))) {
                InPlace.scale(g, coef);
                done.add(g);
            }
        }
    }

    private static List<Tensor> grads(Collection<Tensor> params) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) if (p.grad() != null) grads.add(p.grad());
        return grads;
    }

    private static double sumOfSquares(double[] g, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += g[i] * g[i];
        return s;
    }

    private static void checkMaxNorm(double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) throw new IllegalArgumentException("clipNorm: maxNorm must be a finite number > 0, got " + maxNorm);
    }
}
