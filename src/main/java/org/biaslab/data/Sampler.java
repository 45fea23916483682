package org.biaslab.data;

import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * Training batches of a {@link BitTask}: fresh uniform bit strings each step (P1's default), of one length or of a
 * length drawn per batch from a range, or draws with replacement from a fixed restricted training set (P1's E5). Batch {@code step} depends only on the seed and the
 * step. For an ensemble, member e uses its own seed and task and the batches are stacked on a leading axis.
 */
public final class Sampler {
    /** Added to the data stream for the generator that picks a batch's length. */
    private static final long LENGTH_STREAM = 1L << 20;
    private final List<IntFunction<BitTask>> taskAt;
    private final List<Map<Integer, BitTask>> cache = new ArrayList<>(); // per member; drawn from two threads (training and evaluation)
    private final long[] seeds;
    private final int batch, minN, maxN;
    private final long[][] restricted;

    private Sampler(List<IntFunction<BitTask>> taskAt, long[] seeds, int batch, int minN, int maxN, long[][] restricted) {
        if (taskAt.size() != seeds.length) throw new IllegalArgumentException("sampler: " + taskAt.size() + " tasks for " + seeds.length + " seeds");
        if (batch < 1) throw new IllegalArgumentException("sampler: batch size must be positive, got " + batch);
        if (minN < 1 || minN > maxN) throw new IllegalArgumentException("sampler: length range " + minN + ".." + maxN + " is empty");
        this.taskAt = List.copyOf(taskAt);
        for (int e = 0; e < seeds.length; e++) cache.add(new ConcurrentHashMap<>());
        this.seeds = seeds.clone();
        this.batch = batch;
        this.minN = minN;
        this.maxN = maxN;
        this.restricted = restricted;
    }

    private static List<IntFunction<BitTask>> fixed(List<BitTask> tasks) {
        int n = tasks.get(0).n();
        for (BitTask t : tasks) if (t.n() != n) throw new IllegalArgumentException("sampler: ensemble members need one input length, got " + n + " and " + t.n());
        return tasks.stream().map(t -> (IntFunction<BitTask>) len -> t).toList();
    }

    /** Fresh uniform inputs every step. */
    public static Sampler uniform(List<BitTask> tasks, long[] seeds, int batch) {
        int n = tasks.get(0).n();
        return new Sampler(fixed(tasks), seeds, batch, n, n, null);
    }

    /**
     * Fresh uniform inputs of a length drawn uniformly from minN..maxN for each batch (P1's min_len..max_len);
     * {@code taskAt.get(e)} gives member e's task at a length. The length depends on the step alone, not on the
     * seeds, so the members of an ensemble always agree on it.
     */
    public static Sampler lengthRange(List<IntFunction<BitTask>> taskAt, long[] seeds, int batch, int minN, int maxN) {
        return new Sampler(taskAt, seeds, batch, minN, maxN, null);
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
        return new Sampler(fixed(tasks), seeds, batch, n, n, sets);
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

    /** The longest input length. */
    public int n() {
        return maxN;
    }

    /** The restricted training inputs of member e (as input numbers), or null for uniform sampling. */
    public long[] restrictedSet(int e) {
        return restricted == null ? null : restricted[e].clone();
    }

    /** The batch for training step {@code step} ({@code stream} separates training, evaluation and measurement data). */
    public Batch next(long step, long stream) {
        int e = seeds.length;
        int n = minN == maxN ? maxN : minN + BitTask.stepRng(0, step, stream + LENGTH_STREAM).nextInt(maxN - minN + 1);
        Batch[] parts = new Batch[e];
        // members draw from their own generators, so drawing them in parallel changes no bit
        java.util.stream.IntStream.range(0, e).parallel().forEach(m -> parts[m] = draw(m, n, step, stream));
        if (e == 1) return parts[0];
        Tensor[] xs = new Tensor[e], ys = new Tensor[e];
        for (int m = 0; m < e; m++) {
            xs[m] = parts[m].x();
            ys[m] = parts[m].y();
        }
        return new Batch(stackInts(xs), Tensor.stack(0, ys));
    }

    /** Member m's batch of inputs of length n for a step, with its targets. */
    private Batch draw(int m, int n, long step, long stream) {
        Rng rng = BitTask.stepRng(seeds[m], step, stream);
        int[] bits = new int[batch * n];
        for (int r = 0; r < batch; r++) {
            if (restricted == null) {
                for (int i = 0; i < n; i++) bits[r * n + i] = rng.nextInt(2);
            } else {
                BitTask.bitsOf(restricted[m][rng.nextInt(restricted[m].length)], n, bits, r);
            }
        }
        int member = m, length = n;
        BitTask task = cache.get(m).computeIfAbsent(n, k -> taskAt.get(member).apply(length));
        if (task.n() != n) throw new IllegalStateException("sampler: the task for length " + n + " has " + task.n() + " inputs");
        return task.batch(bits, batch);
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
