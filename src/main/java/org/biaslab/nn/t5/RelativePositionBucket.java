package org.biaslab.nn.t5;

/**
 * T5's relative position buckets (Raffel et al. 2020, §2.1; HuggingFace's {@code _relative_position_bucket}): each
 * offset key − query maps to one of {@code numBuckets} buckets, one per offset for small offsets, then logarithmically
 * wider up to {@code maxDistance}, beyond which all offsets share the last bucket. Bidirectional (encoder) buckets
 * spend half the buckets on positive offsets; unidirectional (decoder) ones see only offsets ≤ 0.
 */
public final class RelativePositionBucket {
    private RelativePositionBucket() {}

    /** The bucket of {@code relativePosition} = key position − query position. */
    public static int of(int relativePosition, boolean bidirectional, int numBuckets, int maxDistance) {
        int bucket = 0, n;
        if (bidirectional) {
            numBuckets /= 2;
            if (relativePosition > 0) bucket = numBuckets;
            n = Math.abs(relativePosition);
        } else {
            n = -Math.min(relativePosition, 0);
        }
        int maxExact = numBuckets / 2;
        if (n < maxExact) return bucket + n;
        // float32 arithmetic as torch's, then truncation: the bucket edges fall where PyTorch puts them
        float log = (float) Math.log((float) n / maxExact) / (float) Math.log((double) maxDistance / maxExact);
        int large = maxExact + (int) (log * (numBuckets - maxExact));
        return bucket + Math.min(large, numBuckets - 1);
    }

    /** Buckets of every (query i, key j) pair: int32 values for a (t, s) table, row-major. */
    public static int[] table(int t, int s, boolean bidirectional, int numBuckets, int maxDistance) {
        int[] out = new int[t * s];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < s; j++) out[i * s + j] = of(j - i, bidirectional, numBuckets, maxDistance);
        }
        return out;
    }
}
