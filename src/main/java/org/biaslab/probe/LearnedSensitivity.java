package org.biaslab.probe;

import java.util.function.Function;
import org.biaslab.boolfn.BooleanFunction;
import org.biaslab.boolfn.Estimate;
import org.biaslab.boolfn.RealFunction;
import org.biaslab.boolfn.SensitivityProfile;
import org.biaslab.boolfn.TruthTable;
import org.biaslab.data.BitTask;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * The average sensitivity of the function a model has learned (docs/papers.md §P1.3, P1's E5): the model's outputs on
 * bit strings, thresholded at 0.5 as P1's saved predictions ({@code output > 0.5}), measured as a Boolean
 * function; and the real-valued version on the raw outputs, E_x Σ_i (f(x) − f(x^{⊕i}))² (P1's (1/4)(g(x) − g(x^{⊕i}))²
 * for g = 2f − 1, boolfn's convention), which equals the Boolean value when the outputs are exactly 0 or 1.
 * Exact over all 2^n inputs for n ≤ {@value #MAX_EXACT_N} (boolfn's bit-flip measures on the truth table), otherwise
 * estimated from random inputs, each evaluated with its n neighbours in the same batch.
 *
 * @param n          the input length
 * @param samples    the number of random inputs, 0 when exact
 * @param thresholded as_n of the thresholded outputs (half-width 0 when exact)
 * @param raw        the real-valued sensitivity of the raw outputs
 */
public record LearnedSensitivity(int n, long samples, Estimate thresholded, Estimate raw) {
    /** The largest n evaluated exactly (2^20 forward rows). */
    public static final int MAX_EXACT_N = 20;
    private static final double Z95 = 1.959963984540054;

    /** A P1 model as a function of bits (B, n) to outputs (B), evaluated without the tape. */
    public static Function<Tensor, Tensor> of(P1Transformer model) {
        return bits -> {
            try (var off = GradMode.off()) {
                return model.forward(bits);
            }
        };
    }

    /** Exact, over all 2^n inputs (first bit most significant), {@code batch} inputs per call of {@code f}. */
    public static LearnedSensitivity exact(int n, Function<Tensor, Tensor> f, int batch) {
        if (n < 1 || n > MAX_EXACT_N) {
            throw new IllegalArgumentException("exact learned sensitivity evaluates all 2^n inputs: n = " + n
                    + " is outside 1.." + MAX_EXACT_N + "; sample instead");
        }
        int size = 1 << n;
        float[] out = new float[size];
        for (int start = 0; start < size; start += batch) {
            int rows = Math.min(batch, size - start);
            int[] bits = new int[rows * n];
            for (int r = 0; r < rows; r++) BitTask.bitsOf(start + r, n, bits, r);
            System.arraycopy(evaluate(f, bits, rows, n), 0, out, start, rows);
        }
        TruthTable table = TruthTable.of(BooleanFunction.of(n, x -> out[(int) x[0]] > 0.5f));
        double bool = SensitivityProfile.of(table).averageSensitivity();
        double real = SensitivityProfile.of(RealFunction.of(n, x -> out[(int) x[0]])).averageSensitivity();
        return new LearnedSensitivity(n, 0, new Estimate(bool, 0), new Estimate(real, 0));
    }

    /** Estimated from {@code samples} uniform inputs (seeded), with 95% intervals; any n. */
    public static LearnedSensitivity sampled(int n, Function<Tensor, Tensor> f, long samples, long seed, int batch) {
        if (samples < 2) throw new IllegalArgumentException("sampled learned sensitivity needs at least 2 samples, got " + samples);
        Rng rng = new Rng(seed);
        int perCall = Math.max(1, batch / (n + 1)); // inputs per call, each with its n flipped neighbours
        double[] sums = new double[4];               // Σ s_bool, Σ s_bool², Σ s_raw, Σ s_raw²
        for (long done = 0; done < samples; done += perCall) {
            int k = (int) Math.min(perCall, samples - done), rows = k * (n + 1);
            int[] bits = new int[rows * n];
            for (int s = 0; s < k; s++) {
                int base = s * (n + 1) * n;
                for (int i = 0; i < n; i++) bits[base + i] = rng.nextInt(2);
                for (int j = 1; j <= n; j++) {
                    System.arraycopy(bits, base, bits, base + j * n, n);
                    bits[base + j * n + j - 1] ^= 1; // row j: bit j flipped
                }
            }
            float[] y = evaluate(f, bits, rows, n);
            for (int s = 0; s < k; s++) {
                float fx = y[s * (n + 1)];
                double sb = 0, sr = 0;
                for (int j = 1; j <= n; j++) {
                    float fj = y[s * (n + 1) + j];
                    if ((fx > 0.5f) != (fj > 0.5f)) sb++;
                    sr += ((double) fx - fj) * ((double) fx - fj);
                }
                sums[0] += sb;
                sums[1] += sb * sb;
                sums[2] += sr;
                sums[3] += sr * sr;
            }
        }
        return new LearnedSensitivity(n, samples, estimate(sums[0], sums[1], samples), estimate(sums[2], sums[3], samples));
    }

    private static float[] evaluate(Function<Tensor, Tensor> f, int[] bits, int rows, int n) {
        float[] y = f.apply(Tensor.ofInts(bits, rows, n)).toFloatArray();
        if (y.length != rows) throw new IllegalArgumentException("learned sensitivity: the model gave " + y.length + " outputs for " + rows + " inputs");
        return y;
    }

    private static Estimate estimate(double sum, double sumOfSquares, long count) {
        double mean = sum / count, variance = Math.max(0, (sumOfSquares - sum * mean) / (count - 1));
        return new Estimate(mean, Z95 * Math.sqrt(variance / count));
    }
}
