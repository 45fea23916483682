package org.biaslab.boolfn;

import java.util.List;
import java.util.stream.IntStream;

/** The scratchpad target of P1: n outputs, the prefix parities y_t = (x_1 + … + x_t) mod 2 for t = 1..n. */
public record PrefixParity(int n) {
    public PrefixParity {
        Input.checkN(n);
    }

    /** The output y_t, t in 1..n. */
    public SparseParity output(int t) {
        if (t < 1 || t > n) throw new IllegalArgumentException("prefix-parity output " + t + " is outside 1.." + n);
        return new SparseParity(n, IntStream.rangeClosed(1, t).toArray());
    }

    /** y_1, …, y_n: n masks of n bits, refused with the memory they need when the heap cannot hold them. */
    public List<SparseParity> outputs() {
        Heap.require((long) n * Input.words(n) * 8, "prefix-parity at n = " + n + " (n outputs of n bits)");
        return IntStream.rangeClosed(1, n).mapToObj(this::output).toList();
    }
}
