package org.biaslab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RegressionTest {
    // Expected values from scipy 1.17.1: scipy.stats.linregress(x, y), printed with repr().

    @Test
    void strongLinearTrendMatchesScipy() {
        // Hand check: mean x 3, mean y 6.02, Sxx 10, Sxy 19.9, so the slope is 1.99.
        Regression r = Regression.fit(new double[] {1, 2, 3, 4, 5}, new double[] {2.1, 3.9, 6.2, 7.8, 10.1});
        assertEquals(1.99, r.slope(), 1e-12);
        assertEquals(0.05000000000000071, r.intercept(), 1e-12);
        assertEquals(0.9986517555689656, r.r(), 1e-12);
        assertEquals(5.941539111755929e-05, r.p(), 1e-12);
        assertEquals(5, r.n());
    }

    @Test
    void noTrendHasLargePValueMatchingScipy() {
        Regression r = Regression.fit(new double[] {4, 4, 8, 8, 12, 12, 16}, new double[] {0.5, 0.7, 0.4, 0.9, 0.6, 0.3, 0.8});
        assertEquals(0.0033653846153846177, r.slope(), 1e-14);
        assertEquals(0.5692307692307692, r.intercept(), 1e-12);
        assertEquals(0.0693375245281537, r.r(), 1e-12);
        assertEquals(0.8825717174997412, r.p(), 1e-10);
    }

    @Test
    void twoPointsFollowScipy() {
        Regression r = Regression.fit(new double[] {1, 2}, new double[] {3, 5});
        assertEquals(2, r.slope(), 0);
        assertEquals(1, r.intercept(), 0);
        assertEquals(1, r.r(), 0);
        assertEquals(0, r.p(), 0);
    }

    @Test
    void constantYIsFlatWithPValueOne() {
        Regression r = Regression.fit(new double[] {1, 2, 3}, new double[] {2, 2, 2});
        assertEquals(0, r.slope(), 0);
        assertEquals(2, r.intercept(), 0);
        assertEquals(0, r.r(), 0);
        assertEquals(1, r.p(), 1e-15);
    }

    @Test
    void identicalXIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Regression.fit(new double[] {3, 3, 3}, new double[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> Regression.fit(new double[] {1}, new double[] {1}));
    }
}
