package org.biaslab.data;

import java.util.List;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * Training batches of a {@link BitTask}: fresh uniform bit strings each step (P1's default), or draws with
 * replacement from a fixed restricted training set (P1's E5). Batch {@code step} depends only on the seed and the
 * step. For an ensemble, member e uses its own seed and task and the batches are stacked on a leading axis.
 */
public final class Sampler {
    private final List<BitTask> tasks;
    private final long[] seeds;
    private final int batch;
    private final long[][] restricted;

    private Sampler(List<BitTask> tasks, long[] seeds, int batch, long[][] restricted) {
        if (tasks.size() != seeds.length) throw new IllegalArgumentException("sampler: " + tasks.size() + " tasks for " + seeds.length + " seeds");
        int n = tasks.get(0).n();
        for (BitTask t : tasks) if (t.n() != n) throw new IllegalArgumentException("sampler: ensemble members need one input length, got " + n + " and " + t.n());
        if (batch < 1) throw new IllegalArgumentException("sampler: batch size must be positive, got " + batch);
        this.tasks = List.copyOf(tasks);
        this.seeds = seeds.clone();
        this.batch = batch;
        this.restricted = restricted;
    }

    /** Fresh uniform inputs every step. */
    public static Sampler uniform(List<BitTask> tasks, long[] seeds, int batch) {
        return new Sampler(tasks, seeds, batch, null);
    }

    /**
     * Batches drawn with replacement from {@code size} distinct inputs chosen once per member from its
     * {@code subsetSeeds[e]} (P1's RestrictedSampler; the choice is repeatable but not NumPy's).
     */
    public static Sampler restricted(List<BitTask> tasks, long[] seeds, int batch, int size, long[] subsetSeeds) {
        int n = tasks.get(0).n();
        if (n > 30) throw new IllegalArgumentException("sampler: a restricted set needs n <= 30, got " + n);
        if (size < 1 || size > (1L << n)) throw new IllegalArgumentException("sampler: restricted size " + size + " is outside 1..2^" + n);
        long[][] sets = new long[seeds.length][];
        for (int e = 0; e < seeds.length; e++) sets[e] = distinct(1L << n, size, new Rng(subsetSeeds[e]));
        return new Sampler(tasks, seeds, batch, sets);
    }

    /** {@code size} distinct numbers in [0, population), by a partial Fisher–Yates shuffle of a sparse map. */
    private static long[] distinct(long population, int size, Rng rng) {
        java.util.HashMap<Long, Long> swapped = new java.util.HashMap<>();
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            long j = i + (long) (rng.uniform() * (population - i));
            long vi = swapped.getOrDefault((long) i, (long) i), vj = swapped.getOrDefault(j, j);
            swapped.put(j, vi);
            out[i] = vj;
        }
        return out;
    }

    public int members() {
        return seeds.length;
    }

    public int n() {
        return tasks.get(0).n();
    }

    /** The restricted training inputs of member e (as input numbers), or null for uniform sampling. */
    public long[] restrictedSet(int e) {
        return restricted == null ? null : restricted[e].clone();
    }

    /** The batch for training step {@code step} ({@code stream} separates training, evaluation and measurement data). */
    public Batch next(long step, long stream) {
        int n = n(), e = seeds.length;
        Batch[] parts = new Batch[e];
        for (int m = 0; m < e; m++) {
            Rng rng = BitTask.stepRng(seeds[m], step, stream);
            int[] bits = new int[batch * n];
            for (int r = 0; r < batch; r++) {
                if (restricted == null) {
                    for (int i = 0; i < n; i++) bits[r * n + i] = rng.nextInt(2);
                } else {
                    BitTask.bitsOf(restricted[m][rng.nextInt(restricted[m].length)], n, bits, r);
                }
            }
            parts[m] = tasks.get(m).batch(bits, batch);
        }
        if (e == 1) return parts[0];
        Tensor[] xs = new Tensor[e], ys = new Tensor[e];
        for (int m = 0; m < e; m++) {
            xs[m] = parts[m].x();
            ys[m] = parts[m].y();
        }
        return new Batch(stackInts(xs), Tensor.stack(0, ys));
    }

    private static Tensor stackInts(Tensor[] xs) {
        int per = xs[0].size();
        int[] all = new int[per * xs.length];
        for (int m = 0; m < xs.length; m++) System.arraycopy(xs[m].toIntArray(), 0, all, m * per, per);
        int[] dims = new int[xs[0].shape().rank() + 1];
        dims[0] = xs.length;
        System.arraycopy(xs[0].shape().dims(), 0, dims, 1, dims.length - 1);
        return Tensor.ofInts(all, dims);
    }
}
