package org.biaslab.probe;

import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.data.Batch;
import org.biaslab.nn.Module;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * P1's measurements during training (E3, docs/papers.md §P1.9.3): on one batch drawn once before training, the loss,
 * accuracy, sharpness (R = 500 in P1) with the noise generator re-seeded with each run's seed at every call, the
 * LN blowup {@code blowup_encoder_maxs_prod} and the squared parameter norm. Because the noise is re-seeded, an
 * unchanged model gives identical values at every call, and the curves change only through training. P1 measures
 * every {@value #P1_EVERY} steps; {@link #measure(Module, long)} has the shape of the trainer's measurement
 * callback ({@code trainer.measureEvery(P1_EVERY, dynamic::measure)}), and leaves the parameters bit for bit as
 * they were (the same tensors, so the optimiser is unaffected). Since every call draws the same directions, they are
 * drawn once and kept where they fit ({@link Sharpness#noiseCacheBytes}): P1's R = 500 for four d = 128 members is
 * 4·10⁸ Gaussian draws on the host; drawn at every call, they held E3's runs on an H200 to 6.4 steps per second
 * (31 between measurements, the GPU shared with other jobs).
 */
public final class DynamicMeasurements {
    /** P1's measurement interval in the dynamics sweeps. */
    public static final int P1_EVERY = 100;
    private static final int P1_REPEATS = 500;

    private final Batch batch;
    private final SharpnessConfig sharpness;
    private final long[] runSeeds;
    private Sharpness noise; // of the model last measured, its fixed directions kept between calls

    /**
     * @param batch     the fixed measurement batch, drawn before training (with the member axis for an ensemble)
     * @param sharpness ε, R and the exclusion (its seed is replaced by the run seeds; its directions are fixed, re-seeded
     *                  at every call, whatever it says)
     * @param runSeeds  the seed of each member's run, re-seeding its noise at every call
     */
    public DynamicMeasurements(Batch batch, SharpnessConfig sharpness, long[] runSeeds) {
        this.batch = batch;
        this.sharpness = new SharpnessConfig(sharpness.eps(), sharpness.repeats(), sharpness.seed(), sharpness.exclude(), true);
        this.runSeeds = runSeeds.clone();
    }

    /** P1's setting: ε 0.02, R 500, positional embeddings excluded. */
    public static DynamicMeasurements p1(Batch batch, long[] runSeeds) {
        return new DynamicMeasurements(batch, SharpnessConfig.p1(0).withRepeats(P1_REPEATS), runSeeds);
    }

    /**
     * The measurements of each member at the model's current parameters: {@code dynamic/loss},
     * {@code dynamic/accuracy}, {@code dynamic/sharpness} (raw S), {@code dynamic/blowup_encoder_maxs_prod},
     * {@code dynamic/squared_param_norm}. The step is not used: the values depend on the parameters only.
     */
    public Map<String, double[]> measure(Module model, long step) {
        int members = model.members();
        if (runSeeds.length != members) {
            throw new IllegalArgumentException("dynamic measurements: " + runSeeds.length + " run seeds for " + members + " members");
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        try (var off = GradMode.off()) {
            Tensor[] pred = new Tensor[1];
            Map<String, double[]> blowup = LayerNormBlowup.measure(model, () -> pred[0] = P1Objective.predict(model, batch));
            out.put("dynamic/loss", P1Objective.loss(pred[0], batch.y(), members).toDoubleArray());
            out.put("dynamic/accuracy", P1Objective.accuracy(pred[0], batch.y(), members));
            if (noise == null || !noise.measures(model)) noise = new Sharpness(model, sharpness, runSeeds);
            out.put("dynamic/sharpness", noise.next(P1Objective.lossOn(model, batch)));
            out.put("dynamic/" + FinalMeasurements.FIGURE_BLOWUP, blowup.get(FinalMeasurements.FIGURE_BLOWUP));
        }
        out.put("dynamic/squared_param_norm", ParameterNorm.squared(model, ParameterNorm.P1_EXCLUDE));
        return out;
    }
}
