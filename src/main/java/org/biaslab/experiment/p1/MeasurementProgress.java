package org.biaslab.experiment.p1;

import java.nio.file.Path;
import java.util.function.IntConsumer;

/** Reports which run P1's end-of-training measurement takes next, and how far its ensemble's batches have got. */
@FunctionalInterface
public interface MeasurementProgress {
    /** Run {@code index} (1-based) of {@code total} is measured next, with the others of its ensemble. */
    void measuring(int index, int total, Path run);

    /**
     * A counter of one ensemble's {@code batches} measurement batches, given the batches done; closed at the end.
     * {@code done} of them were measured before (a measurement that continues from saved sums).
     */
    default Batches batches(int done, int batches) {
        return Batches.NONE;
    }

    /** Batches done of one measurement. */
    interface Batches extends IntConsumer, AutoCloseable {
        Batches NONE = new Batches() {
            @Override
            public void accept(int done) {}

            @Override
            public void close() {}
        };

        @Override
        void close();
    }
}
