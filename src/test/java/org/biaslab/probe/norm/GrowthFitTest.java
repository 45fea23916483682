package org.biaslab.probe.norm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class GrowthFitTest {
    static List<GrowthFit> fits(DoubleUnaryOperator rho) {
        double[] t = new double[50], r = new double[50];
        for (int i = 0; i < t.length; i++) {
            t[i] = 1000.0 * i;
            r[i] = rho.applyAsDouble(t[i]);
        }
        return GrowthFit.all(t, r);
    }

    @Test
    void sqrtWinsWithR2OneOnASqrtSeries() {
        List<GrowthFit> fits = fits(t -> 0.7 * Math.sqrt(t) + 12);
        GrowthFit best = GrowthFit.best(fits);
        assertEquals(GrowthFit.Law.SQRT, best.law());
        assertEquals(1, best.r2(), 1e-12);
        assertEquals(0.7, best.slope(), 1e-9);
        assertEquals(12, best.intercept(), 1e-7);
        for (GrowthFit f : fits) if (f != best) assertTrue(f.r2() < 0.999, f.toString());
    }

    @Test
    void linearWinsOnALinearSeriesAndExpOnAnExponentialOne() {
        assertEquals(GrowthFit.Law.LINEAR, GrowthFit.best(fits(t -> 3e-4 * t + 1)).law());
        assertEquals(GrowthFit.Law.QUARTER, GrowthFit.best(fits(t -> 2 * Math.pow(t, 0.25) - 1)).law());
        GrowthFit exp = GrowthFit.best(fits(t -> 5 - 4 * Math.exp(-t / 49000)));
        assertEquals(GrowthFit.Law.EXP, exp.law(), "t is scaled by t_max = 49000");
        assertEquals(-4, exp.slope(), 1e-9);
    }

    @Test
    void tooFewPointsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> GrowthFit.all(new double[] {0, 1}, new double[] {1, 2}));
    }
}
