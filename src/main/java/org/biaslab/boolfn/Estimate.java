package org.biaslab.boolfn;

/**
 * A sample mean with its 95% confidence interval mean ± halfWidth, from the normal approximation
 * halfWidth = 1.96·sd/√count with the sample standard deviation sd.
 */
public record Estimate(double mean, double halfWidth) {
    private static final double Z95 = 1.959963984540054;

    /** The estimate from count samples with the given sum and sum of squares. */
    static Estimate of(double sum, double sumOfSquares, long count) {
        double mean = sum / count;
        double variance = count > 1 ? Math.max(0, (sumOfSquares - sum * mean) / (count - 1)) : Double.POSITIVE_INFINITY;
        return new Estimate(mean, Z95 * Math.sqrt(variance / count));
    }

    public double lower() {
        return mean - halfWidth;
    }

    public double upper() {
        return mean + halfWidth;
    }

    /** Whether v lies in the interval. */
    public boolean covers(double v) {
        return lower() <= v && v <= upper();
    }
}
