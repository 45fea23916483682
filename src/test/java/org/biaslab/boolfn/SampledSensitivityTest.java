package org.biaslab.boolfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The sampled estimates: coverage of the exact value at the stated 95%, repeatability, and n far beyond 64. */
class SampledSensitivityTest {
    @Test
    void intervalsCoverTheExactValueAboutNinetyFivePercentOfTheTime() {
        int n = 13, runs = 200;
        TruthTable majority = TruthTable.of(Symmetric.majority(n));
        TruthTable random = RandomFunc.table(1, n);
        double exactMajority = Naive.majoritySensitivity(n);
        double exactRandom = SensitivityProfile.of(random).averageSensitivity();
        double[] randomInfluence = SensitivityProfile.of(random).influence();
        long majorityCovered = IntStream.range(0, runs)
                .filter(seed -> SampledSensitivity.estimate(majority, 500, seed).averageSensitivity().covers(exactMajority)).count();
        long randomCovered = IntStream.range(0, runs)
                .filter(seed -> SampledSensitivity.estimate(random, 500, seed).averageSensitivity().covers(exactRandom)).count();
        long influenceCovered = IntStream.range(0, runs)
                .filter(seed -> SampledSensitivity.estimate(random, 2000, 1000 + seed).influence()[seed % n].covers(randomInfluence[seed % n]))
                .count();
        // Binomial(200, 0.95): 190 ± 3.1; the band is more than 3 standard deviations wide on either side.
        for (long covered : new long[] {majorityCovered, randomCovered, influenceCovered}) {
            assertTrue(covered >= 180 && covered <= 199, covered + " of " + runs + " intervals covered the exact value");
        }
    }

    /** The progress a command line shows: every sample counted once, whatever the chunking; the estimate unchanged. */
    @Test
    void progressCountsEverySampleOnce() {
        RealFunction f = Symmetric.parity(70);
        for (long samples : new long[] {2, 1000, 100_003}) {
            java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
            SampledSensitivity s = SampledSensitivity.estimate(f, samples, 5, done::addAndGet);
            assertEquals(samples, done.get());
            assertEquals(SampledSensitivity.estimate(f, samples, 5).averageSensitivity(), s.averageSensitivity());
        }
    }

    @Test
    void sameSeedSameEstimate() {
        RealFunction f = RandomFunc.table(3, 20);
        SampledSensitivity a = SampledSensitivity.estimate(f, 3000, 17), b = SampledSensitivity.estimate(f, 3000, 17);
        assertEquals(a.averageSensitivity(), b.averageSensitivity());
        assertEquals(a.influence()[7], b.influence()[7]);
    }

    @Test
    void parityOfAThousandBitsHasSensitivityExactlyN() {
        Estimate e = SampledSensitivity.estimate(Symmetric.parity(1000), 200, 1).averageSensitivity();
        assertEquals(1000, e.mean());
        assertEquals(0, e.halfWidth());
    }

    @Test
    void majorityOfManyBitsIsCoveredByItsClosedForm() {
        int n = 1001;
        // n·C(n − 1, (n − 1)/2)/2^(n−1) in logarithms, since C(1000, 500) overflows a double.
        double logC = 0;
        for (int j = 1; j <= (n - 1) / 2; j++) logC += Math.log((double) ((n - 1) / 2 + j) / j);
        double exact = n * Math.exp(logC - (n - 1) * Math.log(2));
        SampledSensitivity s = SampledSensitivity.estimate(Symmetric.majority(n), 4000, 7);
        assertTrue(s.averageSensitivity().covers(exact), s.averageSensitivity() + " vs " + exact);
        assertTrue(s.influence()[500].covers(exact / n), s.influence()[500] + " vs " + exact / n);
    }

    @Test
    void meanOfTwoHundredBitsHasSensitivityOneOverN() {
        Estimate e = SampledSensitivity.estimate(new Mean(200), 50, 2).averageSensitivity();
        assertEquals(1.0 / 200, e.mean(), 1e-15);   // every flip changes MEAN by exactly 1/n
    }
}
