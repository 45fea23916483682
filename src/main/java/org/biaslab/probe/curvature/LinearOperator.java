package org.biaslab.probe.curvature;

/**
 * A symmetric linear operator A_e for each ensemble member e, applied to one vector per member at once: the
 * algorithms of this package (Lanczos, power iteration, Hutchinson, Hutch++, stochastic Lanczos quadrature) see
 * nothing else, so they run unchanged on explicit matrices, on a model's Hessian and on its Gauss-Newton matrix.
 */
public interface LinearOperator {
    /** Ensemble members E (1 for a single model). */
    int members();

    /** The dimension n of each member's vectors. */
    int dim();

    /** (A_1 v_1, …, A_E v_E) for v of shape [E][n]; v is not modified. */
    double[][] apply(double[][] v);
}
