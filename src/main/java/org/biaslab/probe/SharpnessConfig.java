package org.biaslab.probe;

/**
 * Settings of the sharpness estimate S = mean_r L(θ + ε·ξ_r) − L(θ) (docs/papers.md §P1.7).
 *
 * @param eps             standard deviation ε of the parameter noise
 * @param repeats         number of noise draws R per batch
 * @param seed            seed of the noise generator (per member, unless member seeds are given)
 * @param exclude         regular expression: parameters whose name contains a match get no noise (blank: none)
 * @param fixedDirections re-seed the noise for every batch, so every batch (and every run with the same seed) sees
 *                        the same R directions, as P1's end-of-training measurement does; otherwise one generator
 *                        continues across batches
 */
public record SharpnessConfig(double eps, int repeats, long seed, String exclude, boolean fixedDirections) {
    /** P1's end-of-training setting: ε 0.02, R 10, positional embeddings excluded, the same directions for every batch. */
    public static SharpnessConfig p1(long seed) {
        return new SharpnessConfig(0.02, 10, seed, ParameterNorm.P1_EXCLUDE, true);
    }

    public SharpnessConfig {
        if (!(eps > 0) || !Double.isFinite(eps)) throw new IllegalArgumentException("sharpness: eps must be positive, got " + eps);
        if (repeats < 1) throw new IllegalArgumentException("sharpness: repeats must be at least 1, got " + repeats);
        ParameterNorm.excludes(exclude); // a bad expression fails here, with the pattern in the message
    }

    /** This config with R noise draws (P1: 10 at the end of training, 500 for the dynamics, 100 on a training set). */
    public SharpnessConfig withRepeats(int r) {
        return new SharpnessConfig(eps, r, seed, exclude, fixedDirections);
    }
}
