package org.biaslab.tensor;

import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/** A seeded, repeatable random source (the JDK's L64X128MixRandom) for initialisation, data and noise. */
public final class Rng {
    private final RandomGenerator g;

    public Rng(long seed) {
        this.g = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
    }

    /** A standard normal draw. */
    public double normal() {
        return g.nextGaussian();
    }

    /** A uniform draw in [0, 1). */
    public double uniform() {
        return g.nextDouble();
    }

    /** A uniform integer in [0, bound). */
    public int nextInt(int bound) {
        return g.nextInt(bound);
    }

    /** A uniform long, e.g. to seed a child generator. */
    public long nextLong() {
        return g.nextLong();
    }
}
