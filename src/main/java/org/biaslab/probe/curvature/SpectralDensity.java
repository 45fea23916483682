package org.biaslab.probe.curvature;

import java.util.Arrays;
import org.biaslab.tensor.Rng;

/**
 * The eigenvalue density of A by stochastic Lanczos quadrature (Lin, Saad and Yang 2016; Ghorbani, Krishnan and Xiao
 * 2019): m Lanczos steps from a unit vector v give the Ritz values θ_i and weights τ_i = s_{1,i}², a Gauss quadrature
 * with vᵀ f(A) v ≈ Σ_i τ_i f(θ_i), exact for polynomials of degree ≤ 2m − 1. Averaged over random Rademacher v / √n,
 * the nodes and weights estimate the spectral measure (1/n) Σ_k δ(t − λ_k); smoothed with a Gaussian of width σ they
 * give a density that integrates to 1.
 */
public final class SpectralDensity {
    private SpectralDensity() {}

    /**
     * A discrete measure per member: nodes[e][i] with weights[e][i] ≥ 0 summing to 1.
     *
     * @param products operator applications
     */
    public record Quadrature(double[][] nodes, double[][] weights, int products) {
        /** ∫ t^j dμ = Σ_i w_i θ_i^j for member e. */
        public double moment(int e, int j) {
            double s = 0;
            for (int i = 0; i < nodes[e].length; i++) s += weights[e][i] * Math.pow(nodes[e][i], j);
            return s;
        }
    }

    /** The m-step Gauss quadrature for start vectors {@code start[e]} (normalised here): vᵀAʲv = Σ τ θʲ for j ≤ 2m − 1. */
    public static Quadrature gauss(LinearOperator a, double[][] start, int steps) {
        if (steps < 1) throw new IllegalArgumentException("slq: needs at least one Lanczos step, got " + steps);
        Lanczos lz = new Lanczos(a, start);
        int members = a.members(), products = 0;
        while (products < steps && !exhausted(lz, members)) {
            lz.step();
            products++;
        }
        double[][] nodes = new double[members][], weights = new double[members][];
        for (int e = 0; e < members; e++) {
            Lanczos.Ritz r = lz.ritz(e);
            nodes[e] = r.values();
            weights[e] = new double[nodes[e].length];
            for (int i = 0; i < nodes[e].length; i++) weights[e][i] = r.coords()[i][0] * r.coords()[i][0];
        }
        return new Quadrature(nodes, weights, products);
    }

    private static boolean exhausted(Lanczos lz, int members) {
        for (int e = 0; e < members; e++) if (!lz.exhausted(e)) return false;
        return true;
    }

    /** SLQ: {@code vectors} Rademacher start vectors of {@code steps} Lanczos steps each, pooled with weights 1/vectors. */
    public static Quadrature estimate(LinearOperator a, int steps, int vectors, long seed) {
        if (vectors < 1) throw new IllegalArgumentException("slq: needs at least one start vector, got " + vectors);
        int members = a.members();
        Rng[] rng = Vectors.generators(members, seed);
        double[][] nodes = new double[members][0], weights = new double[members][0];
        int products = 0;
        for (int l = 0; l < vectors; l++) {
            double[][] start = new double[members][];
            for (int e = 0; e < members; e++) start[e] = Vectors.rademacher(rng[e], a.dim());
            Quadrature q = gauss(a, start, Math.min(steps, a.dim()));
            products += q.products();
            for (int e = 0; e < members; e++) {
                nodes[e] = concat(nodes[e], q.nodes()[e]);
                double[] w = q.weights()[e].clone();
                for (int i = 0; i < w.length; i++) w[i] /= vectors;
                weights[e] = concat(weights[e], w);
            }
        }
        return new Quadrature(nodes, weights, products);
    }

    /** The density Σ_i w_i N(t; θ_i, σ²) of a member's quadrature at each grid point t. */
    public static double[] density(double[] nodes, double[] weights, double[] grid, double sigma) {
        if (!(sigma > 0)) throw new IllegalArgumentException("slq: the smoothing width must be positive, got " + sigma);
        double[] out = new double[grid.length];
        double c = 1 / (sigma * Math.sqrt(2 * Math.PI));
        for (int g = 0; g < grid.length; g++) {
            double s = 0;
            for (int i = 0; i < nodes.length; i++) {
                double z = (grid[g] - nodes[i]) / sigma;
                s += weights[i] * c * Math.exp(-0.5 * z * z);
            }
            out[g] = s;
        }
        return out;
    }

    /** {@code points} evenly spaced values from min(nodes) − pad to max(nodes) + pad. */
    public static double[] grid(double[] nodes, double pad, int points) {
        double lo = Arrays.stream(nodes).min().orElse(0) - pad, hi = Arrays.stream(nodes).max().orElse(0) + pad;
        double[] t = new double[points];
        for (int i = 0; i < points; i++) t[i] = lo + (hi - lo) * i / (points - 1);
        return t;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
