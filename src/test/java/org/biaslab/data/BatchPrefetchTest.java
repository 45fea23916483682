package org.biaslab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.biaslab.boolfn.FunctionCatalog;
import org.junit.jupiter.api.Test;

class BatchPrefetchTest {
    @Test
    void batchesComeInOrderAsDrawnDirectlyAndNoneBeyondTheEnd() {
        Sampler s = Sampler.uniform(List.of(BitTask.of(FunctionCatalog.parse("parity", 6).get(0).function())), new long[] {4}, 16);
        try (BatchPrefetch ahead = new BatchPrefetch(s, 3, 7, 1)) {
            for (long step = 3; step < 7; step++) {
                Batch b = ahead.next(), direct = s.next(step, 1);
                assertArrayEquals(direct.x().toDoubleArray(), b.x().toDoubleArray(), "step " + step);
                assertArrayEquals(direct.y().toDoubleArray(), b.y().toDoubleArray(), "step " + step);
            }
            assertThrows(IllegalStateException.class, ahead::next);
        }
    }

    @Test
    void aFailureWhileDrawingIsRethrownToTheTaker() {
        try (BatchPrefetch ahead = new BatchPrefetch(i -> {
            throw new IllegalArgumentException("bad batch " + i);
        }, 0, 2)) {
            assertEquals("bad batch 0", assertThrows(IllegalArgumentException.class, ahead::next).getMessage());
        }
    }
}
