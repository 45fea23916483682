package org.biaslab.probe.curvature;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The curvature a quick end-of-training measurement adds (P1's E1 report plots it against n): the top eigenvalue by
 * Lanczos (stopped at residual ≤ tol·|θ| or after {@code maxSteps} products) and the trace by Hutch++ with
 * {@code traceProducts} products, of the loss over the first {@code batches} measurement batches.
 */
public record CurvatureConfig(int batches, double tol, int maxSteps, int traceProducts, long seed) {
    /**
     * One batch, the top eigenvalue to residual 1e-2·|θ| in at most 15 products, Hutch++ with 18 (within about 2% on
     * converged P1 models): about 25 products per ensemble, each serving all its members.
     */
    public static CurvatureConfig quick(long seed) {
        return new CurvatureConfig(1, 1e-2, 15, 18, seed);
    }

    public CurvatureConfig {
        if (batches < 1) throw new IllegalArgumentException("curvature: needs at least one batch, got " + batches);
        if (!(tol > 0)) throw new IllegalArgumentException("curvature: tolerance must be positive, got " + tol);
        if (maxSteps < 1) throw new IllegalArgumentException("curvature: needs at least one Lanczos step, got " + maxSteps);
        if (traceProducts < 3 || traceProducts % 3 != 0) throw new IllegalArgumentException("curvature: Hutch++ needs a positive multiple of 3 products, got " + traceProducts);
    }

    /**
     * {@code hessian_top_eigenvalue}, {@code hessian_trace} and {@code hessian_hvps} (the products both took) of each
     * member of {@code h}.
     */
    public Map<String, double[]> measure(LinearOperator h) {
        Lanczos.Result top = Lanczos.top(h, 1, false, tol, maxSteps, seed);
        Trace.Estimate trace = Trace.hutchPlusPlus(h, traceProducts, seed);
        int members = h.members();
        double[] lambda = new double[members], hvps = new double[members];
        for (int e = 0; e < members; e++) {
            lambda[e] = top.eigenvalues()[e][0];
            hvps[e] = top.products() + trace.products();
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("hessian_top_eigenvalue", lambda);
        out.put("hessian_trace", trace.trace());
        out.put("hessian_hvps", hvps);
        return out;
    }
}
