package org.biaslab.boolfn;

/** MEAN(x) = (1/n) Σ x_i, P1's real-valued regression target. */
public record Mean(int n) implements RealFunction {
    public Mean {
        Input.checkN(n);
    }

    @Override
    public double value(long[] x) {
        return (double) Input.weight(x) / n;
    }
}
