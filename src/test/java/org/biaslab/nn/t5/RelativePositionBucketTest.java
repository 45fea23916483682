package org.biaslab.nn.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RelativePositionBucketTest {
    /** T5's defaults, 32 buckets up to distance 128, worked by hand from the formula (key − query offsets). */
    @Test
    void bidirectionalBucketsOfTheEncoder() {
        int[][] cases = {{0, 0}, {-1, 1}, {-7, 7}, {-8, 8}, {-12, 9}, {-16, 10}, {-32, 12}, {-64, 14}, {-127, 15},
                {-128, 15}, {-5000, 15}, {1, 17}, {7, 23}, {8, 24}, {32, 28}, {5000, 31}};
        for (int[] c : cases) assertEquals(c[1], RelativePositionBucket.of(c[0], true, 32, 128), "offset " + c[0]);
    }

    @Test
    void unidirectionalBucketsOfTheDecoderIgnoreLaterKeys() {
        int[][] cases = {{5, 0}, {0, 0}, {-15, 15}, {-16, 16}, {-20, 17}, {-32, 21}, {-64, 26}, {-128, 31}, {-5000, 31}};
        for (int[] c : cases) assertEquals(c[1], RelativePositionBucket.of(c[0], false, 32, 128), "offset " + c[0]);
    }

    @Test
    void tableRowsAreQueriesAndColumnsKeys() {
        int[] t = RelativePositionBucket.table(2, 3, true, 32, 128);
        assertEquals(0, t[0]);      // (0, 0)
        assertEquals(17, t[1]);     // key 1 after query 0
        assertEquals(1, t[3]);      // key 0 before query 1
    }
}
