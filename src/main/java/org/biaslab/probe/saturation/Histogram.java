package org.biaslab.probe.saturation;

import java.util.List;
import org.hipparchus.stat.descriptive.StreamingStatistics;
import org.hipparchus.stat.fitting.EmpiricalDistribution;

/**
 * A histogram of values over {@code bins} equal-width bins from the smallest to the largest value (Hipparchus'
 * {@link EmpiricalDistribution}): {@code upper[i]} is bin i's upper edge, {@code counts[i]} its number of values.
 */
public record Histogram(double min, double[] upper, long[] counts) {
    /** Bins {@code values} (at least one) into {@code bins} bins. */
    public static Histogram of(double[] values, int bins) {
        if (values.length == 0) throw new IllegalArgumentException("histogram: no values");
        if (bins < 1) throw new IllegalArgumentException("histogram: bins must be >= 1, got " + bins);
        EmpiricalDistribution d = new EmpiricalDistribution(bins);
        d.load(values);
        List<StreamingStatistics> stats = d.getBinStats();
        long[] counts = new long[stats.size()];
        for (int i = 0; i < counts.length; i++) counts[i] = stats.get(i).getN();
        return new Histogram(d.getSampleStats().getMin(), d.getUpperBounds(), counts);
    }
}
