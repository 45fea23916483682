package org.biaslab.optim;

/**
 * Hyperparameters of {@link AdamW}, named as in PyTorch ({@code betas = (beta1, beta2)}); invalid values are
 * rejected with an {@link IllegalArgumentException}.
 */
public record AdamWConfig(double lr, double beta1, double beta2, double eps, double weightDecay) {
    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01. */
    public static final AdamWConfig PYTORCH = new AdamWConfig(1e-3, 0.9, 0.999, 1e-8, 0.01);
    /** P1's training setup (docs/papers.md §P1.9.0): lr 3e-4, weight_decay 0.1, PyTorch's defaults otherwise. */
    public static final AdamWConfig P1 = new AdamWConfig(3e-4, 0.9, 0.999, 1e-8, 0.1);

    public AdamWConfig {
        Checks.nonNegative("AdamW", "lr", lr);
        Checks.beta("AdamW", "beta1", beta1);
        Checks.beta("AdamW", "beta2", beta2);
        Checks.nonNegative("AdamW", "eps", eps);
        Checks.nonNegative("AdamW", "weight_decay", weightDecay);
    }
}
