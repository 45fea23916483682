package org.biaslab.data;

import java.util.List;
import org.biaslab.boolfn.Input;
import org.biaslab.boolfn.RealFunction;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * A supervised task on n-bit strings: targets are one function of the bits, or several (e.g. the n prefix
 * parities of P1's scratchpad). Inputs come as bits x_1…x_n in order, the first bit being P1's most significant.
 */
public record BitTask(int n, List<RealFunction> targets) {
    public BitTask {
        if (targets.isEmpty()) throw new IllegalArgumentException("task: no target function");
        for (RealFunction f : targets) {
            if (f.n() != n) throw new IllegalArgumentException("task: target has " + f.n() + " inputs, the task " + n);
        }
        targets = List.copyOf(targets);
    }

    /** A task with one target. */
    public static BitTask of(RealFunction f) {
        return new BitTask(f.n(), List.of(f));
    }

    /** Targets of the bit rows {@code bits} (rows × n, 0/1): rows × targets values, row-major. */
    public float[] label(int[] bits, int rows) {
        int k = targets.size();
        float[] y = new float[rows * k];
        long[] x = new long[Input.words(n)];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(x, 0);
            for (int i = 1; i <= n; i++) if (bits[r * n + i - 1] != 0) Input.flip(x, n, i);
            for (int t = 0; t < k; t++) y[r * k + t] = (float) targets.get(t).value(x);
        }
        return y;
    }

    /** The bits of input number {@code index} (first bit most significant), into row {@code row} of {@code bits}. */
    public static void bitsOf(long index, int n, int[] bits, int row) {
        for (int i = 0; i < n; i++) bits[row * n + i] = (int) (index >>> (n - 1 - i)) & 1;
    }

    /** All 2^n inputs in index order with their targets, for n ≤ 24 (evaluating learned functions exactly). */
    public Batch all() {
        if (n > 24) throw new IllegalArgumentException("task: all 2^" + n + " inputs is too many (n <= 24)");
        int rows = 1 << n;
        int[] bits = new int[rows * n];
        for (int r = 0; r < rows; r++) bitsOf(r, n, bits, r);
        return batch(bits, rows);
    }

    Batch batch(int[] bits, int rows) {
        float[] y = label(bits, rows);
        Tensor yt = targets.size() == 1 ? Tensor.of(y, rows) : Tensor.of(y, rows, targets.size());
        return new Batch(Tensor.ofInts(bits, rows, n), yt);
    }

    /** A generator for one step's batch: a pure function of (seed, step), so a resumed run sees the same data. */
    public static Rng stepRng(long seed, long step, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + stream * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Rng(z ^ (z >>> 31));
    }
}
