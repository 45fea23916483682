package org.biaslab.train;

import java.util.Map;
import org.biaslab.nn.Module;

/**
 * A measurement taken during training (P1's E3 "dynamic measurements"): called with the model after an update,
 * it returns named values, one per ensemble member, that the trainer logs into each run's metrics.jsonl.
 */
@FunctionalInterface
public interface Measurement {
    /** Values by metric name; each array has one entry per member (length 1 for a single model). */
    Map<String, double[]> measure(Module model, long step);
}
