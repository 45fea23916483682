package org.biaslab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class BroadcastTest {
    @Test
    void rowOffsetsCountTheSameOffsetsAsDividing() {
        Shape[][] cases = {
            {Shape.of(12, 1024, 32), Shape.of(12, 1024, 32), Shape.of(12, 1, 32)}, // an ensemble's bias
            {Shape.of(3, 4, 5, 6), Shape.of(3, 1, 5, 6), Shape.of(4, 1, 1)},
            {Shape.of(7, 6), Shape.of(7, 6), Shape.of(6)},
            {Shape.of(5), Shape.of(5), Shape.of(1)},
        };
        for (Shape[] c : cases) {
            Broadcast plan = Broadcast.of(c[0], c[1], c[2]);
            for (int o = 0; o < 2; o++) {
                for (int[] range : new int[][] {{0, plan.rows}, {plan.rows / 3, plan.rows / 3 + plan.rows / 2}}) {
                    int[] expected = new int[range[1] - range[0]];
                    for (int r = range[0]; r < range[1]; r++) expected[r - range[0]] = plan.rowOffset(o, r);
                    assertArrayEquals(expected, plan.rowOffsets(o, range[0], range[1]), c[0] + " operand " + o);
                }
            }
        }
    }
}
