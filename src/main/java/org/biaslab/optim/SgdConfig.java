package org.biaslab.optim;

/**
 * Hyperparameters of {@link Sgd}, named as in PyTorch's {@code torch.optim.SGD}; Nesterov momentum needs a
 * momentum and zero dampening, as there.
 */
public record SgdConfig(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
    public SgdConfig {
        Checks.nonNegative("SGD", "lr", lr);
        Checks.nonNegative("SGD", "momentum", momentum);
        Checks.nonNegative("SGD", "dampening", dampening);
        Checks.nonNegative("SGD", "weight_decay", weightDecay);
        if (nesterov && (momentum == 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum and zero dampening (momentum "
                    + momentum + ", dampening " + dampening + ")");
        }
    }

    /** Plain SGD: no momentum, no weight decay. */
    public static SgdConfig plain(double lr) {
        return new SgdConfig(lr, 0, 0, 0, false);
    }
}
