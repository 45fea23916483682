package org.biaslab.boolfn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;

/**
 * The Fourier (Walsh) spectrum of g = 2f − 1 (P1's map {0,1} → {±1}): ĝ(S) = E_x[g(x)·χ_S(x)] with
 * χ_S(x) = (−1)^{Σ_{i∈S} x_i}, summarised by degree. Parseval: Σ_S ĝ(S)² = E[g²], which is 1 for Boolean f; and
 * as_n(f) = Σ_S |S|·ĝ(S)² (P1 §3, the formula of its code).
 *
 * @param n              the number of input bits
 * @param weightByDegree (n + 1) W_k = Σ_{|S|=k} ĝ(S)²
 * @param largest        the coefficients of largest |ĝ(S)|, largest first (ties: lower degree, then S in lexicographic order)
 */
public record FourierSpectrum(int n, double[] weightByDegree, List<Coefficient> largest) {
    /** The largest n for a Boolean spectrum: one int per input (4 GiB at n = 30), and Java arrays end below 2^31. */
    public static final int MAX_N = 30;

    /**
     * One coefficient ĝ(S).
     *
     * @param set   S as an input (see {@link RealFunction}): coordinate i ∈ S iff bit n − i is set
     * @param value ĝ(S)
     */
    public record Coefficient(long set, double value) {
        /** The coordinates of S, 1-based, ascending. */
        public int[] coordinates(int n) {
            return IntStream.rangeClosed(1, n).filter(i -> (set >>> (n - i) & 1) != 0).toArray();
        }
    }

    /** Σ_S ĝ(S)², 1 for Boolean functions (Parseval). */
    public double totalWeight() {
        double sum = 0;
        for (double w : weightByDegree) sum += w;
        return sum;
    }

    /** as_n(f) = Σ_k k·W_k. */
    public double averageSensitivity() {
        double sum = 0;
        for (int k = 1; k <= n; k++) sum += k * weightByDegree[k];
        return sum;
    }

    /** The bytes {@link #of(TruthTable, int)} allocates at n: 4·2^n. */
    public static long bytes(int n) {
        return 4L << n;
    }

    /** The spectrum of a Boolean function by an exact integer transform of ±1 values: 4·2^n bytes, n ≤ 30. */
    public static FourierSpectrum of(TruthTable table, int top) {
        int n = table.n();
        if (n > MAX_N) {
            throw new IllegalArgumentException("the Walsh-Hadamard transform needs n <= " + MAX_N + " (an int per input); n = " + n);
        }
        Heap.require(bytes(n), "the Walsh-Hadamard transform at n = " + n);
        int[] a = new int[1 << n];   // (2^n) g(x) = ±1, then 2^n·ĝ(S)
        long[] words = table.words();
        int lanes = Math.min(64, a.length);
        IntStream.range(0, words.length).parallel().forEach(w -> {
            long bits = words[w];
            for (int j = 0; j < lanes; j++) a[(w << 6) + j] = (int) (bits >>> j & 1) * 2 - 1;
        });
        WalshHadamard.transform(a);
        double scale = Math.scalb(1.0, -n);
        return summarise(n, a.length, s -> a[s] * scale, top);
    }

    /** The spectrum of a real-valued function by a double transform: 8·2^n bytes, n ≤ {@value SensitivityProfile#MAX_REAL_N}. */
    public static FourierSpectrum of(RealFunction f, int top) {
        int n = f.n();
        double[] a = SensitivityProfile.values(f, "the real-valued Walsh-Hadamard transform");   // (2^n) f(x)
        IntStream.range(0, a.length).parallel().forEach(x -> a[x] = 2 * a[x] - 1);
        WalshHadamard.transform(a);
        double scale = Math.scalb(1.0, -n);
        return summarise(n, a.length, s -> a[s] * scale, top);
    }

    /** Larger |ĝ(S)| first; among equals, lower degree first, then S in lexicographic order of its coordinates. */
    private static final Comparator<Coefficient> LARGER_FIRST = Comparator
            .comparingDouble((Coefficient c) -> -Math.abs(c.value()))
            .thenComparingInt(c -> Long.bitCount(c.set()))
            .thenComparingLong(c -> -c.set());

    private static FourierSpectrum summarise(int n, int size, IntToDoubleFunction coefficient, int top) {
        if (top < 0) throw new IllegalArgumentException("the number of largest coefficients is negative: " + top);
        int chunk = Math.max(1, size >>> 8);
        record Partial(double[] weight, List<Coefficient> largest) {}
        List<Partial> partials = IntStream.range(0, size / chunk).parallel().mapToObj(c -> {
            double[] weight = new double[n + 1];
            PriorityQueue<Coefficient> kept = new PriorityQueue<>(LARGER_FIRST.reversed());   // the smallest on top
            for (int s = c * chunk; s < (c + 1) * chunk; s++) {
                double v = coefficient.applyAsDouble(s);
                weight[Integer.bitCount(s)] += v * v;
                if (top > 0 && (kept.size() < top || Math.abs(v) >= Math.abs(kept.peek().value()))) {
                    Coefficient candidate = new Coefficient(s, v);
                    if (kept.size() < top || LARGER_FIRST.compare(candidate, kept.peek()) < 0) {
                        kept.add(candidate);
                        if (kept.size() > top) kept.poll();
                    }
                }
            }
            return new Partial(weight, new ArrayList<>(kept));
        }).toList();
        double[] weight = new double[n + 1];
        List<Coefficient> all = new ArrayList<>();
        for (Partial p : partials) {
            for (int k = 0; k <= n; k++) weight[k] += p.weight()[k];
            all.addAll(p.largest());
        }
        all.sort(LARGER_FIRST);
        return new FourierSpectrum(n, weight, List.copyOf(all.subList(0, Math.min(top, all.size()))));
    }
}
