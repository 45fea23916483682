package org.biaslab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.biaslab.boolfn.FunctionCatalog;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static IntFunction<BitTask> parity = n -> BitTask.of(FunctionCatalog.parse("parity", n).get(0).function());

    @Test
    void aLengthRangeDrawsEveryLengthTheSameForAllMembersAndRepeats() {
        Sampler s = Sampler.lengthRange(List.of(parity, parity), new long[] {3, 4}, 16, 3, 6);
        Set<Integer> seen = new HashSet<>();
        for (long step = 0; step < 40; step++) {
            Batch b = s.next(step, 0);
            int n = b.x().dim(-1);
            assertTrue(n >= 3 && n <= 6, "length " + n);
            seen.add(n);
            assertEquals(2, b.x().dim(0)); // both members in one tensor: one length for both
            int[] bits = b.x().toIntArray();
            float[] y = b.y().toFloatArray();
            for (int r = 0; r < 32; r++) {
                int sum = 0;
                for (int i = 0; i < n; i++) sum += bits[r * n + i];
                assertEquals(sum % 2, (int) y[r], "parity of row " + r + " at length " + n);
            }
            assertArrayEquals(bits, Sampler.lengthRange(List.of(parity, parity), new long[] {3, 4}, 16, 3, 6).next(step, 0).x().toIntArray());
        }
        assertEquals(Set.of(3, 4, 5, 6), seen);
    }

    @Test
    void aMembersBatchesDoNotDependOnTheOtherMembers() {
        Sampler pair = Sampler.lengthRange(List.of(parity, parity), new long[] {3, 4}, 8, 2, 5);
        Sampler alone = Sampler.lengthRange(List.of(parity), new long[] {4}, 8, 2, 5);
        for (long step = 0; step < 10; step++) {
            Batch b = pair.next(step, 0), a = alone.next(step, 0);
            assertArrayEquals(a.x().toIntArray(), b.x().slice(0, 1, 2).toIntArray());
        }
    }
}
