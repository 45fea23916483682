package org.biaslab.boolfn;

import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;

/**
 * Average sensitivity and influences estimated from uniformly random inputs, for any n (each input costs n + 1
 * evaluations of f): for each sample x, s(x, f) = Σ_i (f(x) − f(x^{⊕i}))² as in {@link SensitivityProfile}, and the
 * influence terms (f(x) − f(x^{⊕i}))² on the same x. Repeatable: the samples are split into at most
 * {@value #CHUNKS} chunks with generators split in order from {@code new SplittableRandom(seed)}, and the chunk sums
 * are added in order, so the result depends on (f, samples, seed) only, not on the number of threads.
 *
 * @param samples            the number of random inputs
 * @param seed               the seed of the inputs
 * @param averageSensitivity the estimate of as_n(f) with its 95% interval
 * @param influence          (n) the estimates of Inf_i, i = 1..n at index i − 1
 */
public record SampledSensitivity(long samples, long seed, Estimate averageSensitivity, Estimate[] influence) {
    private static final int CHUNKS = 64;
    private static final int MAX_N = (Integer.MAX_VALUE - 8) / 2 - 1;

    /** Estimates from the given number of random inputs (at least 2). */
    public static SampledSensitivity estimate(RealFunction f, long samples, long seed) {
        return estimate(f, samples, seed, done -> { });
    }

    /**
     * As {@link #estimate(RealFunction, long, long)}, telling {@code progress} how many more samples are done as
     * they finish (from several threads). The per-chunk sums, {@value #CHUNKS} × (2n + 2) doubles, are refused
     * with the memory they need when the heap cannot hold them.
     */
    public static SampledSensitivity estimate(RealFunction f, long samples, long seed, LongConsumer progress) {
        if (samples < 2) throw new IllegalArgumentException("sampling needs at least 2 samples, not " + samples);
        int n = f.n();
        if (n > MAX_N) throw new IllegalArgumentException("n = " + n + " is above " + MAX_N + ", the most whose 2n + 2 sums fit in one array");
        int chunks = (int) Math.min(CHUNKS, samples);
        Heap.require(chunks * (16L * n + 16), "sampled sensitivity at n = " + n + " (" + chunks + " partial sums of 2n + 2 doubles)");
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] randoms = new SplittableRandom[chunks];
        for (int c = 0; c < chunks; c++) randoms[c] = root.split();
        double[][] partial = IntStream.range(0, chunks).parallel()
                .mapToObj(c -> sums(f, samples * c / chunks, samples * (c + 1) / chunks, randoms[c], progress))
                .toArray(double[][]::new);
        double[] sum = new double[2 * n + 2];
        for (double[] p : partial) for (int k = 0; k < sum.length; k++) sum[k] += p[k];
        Estimate[] influence = new Estimate[n];
        for (int i = 0; i < n; i++) influence[i] = Estimate.of(sum[2 * i], sum[2 * i + 1], samples);
        return new SampledSensitivity(samples, seed, Estimate.of(sum[2 * n], sum[2 * n + 1], samples), influence);
    }

    /** Σ d_i², Σ d_i⁴ for each coordinate i (d_i = f(x) − f(x^{⊕i})), then Σ s, Σ s², over samples [from, to). */
    private static double[] sums(RealFunction f, long from, long to, SplittableRandom random, LongConsumer progress) {
        int n = f.n();
        double[] sum = new double[2 * n + 2];
        long[] x = new long[Input.words(n)];
        long every = Math.max(1, (1 << 16) / (n + 1));   // about 2^16 evaluations of f between reports
        for (long k = from; k < to; k++) {
            if ((k - from) % every == every - 1) progress.accept(every);
            Input.random(x, n, random);
            double fx = f.value(x), s = 0;
            for (int i = 1; i <= n; i++) {
                Input.flip(x, n, i);
                double d = fx - f.value(x);
                Input.flip(x, n, i);
                sum[2 * (i - 1)] += d * d;
                sum[2 * (i - 1) + 1] += d * d * d * d;
                s += d * d;
            }
            sum[2 * n] += s;
            sum[2 * n + 1] += s * s;
        }
        progress.accept((to - from) % every);
        return sum;
    }
}
