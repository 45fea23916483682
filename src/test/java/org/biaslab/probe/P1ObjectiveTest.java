package org.biaslab.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.biaslab.data.Batch;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1ScratchpadTransformer;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class P1ObjectiveTest {
    /** x = 110 and 001, their prefix parities y = 100 and 001. */
    private static final Batch BATCH = new Batch(Tensor.ofInts(new int[] {1, 1, 0, 0, 0, 1}, 2, 3),
            Tensor.of(new float[] {1, 0, 0, 0, 0, 1}, 2, 3));
    /** The reference's decoder input: [BOS, y_1, y_2, y_3] per row. */
    private static final int[] AUTHORS = {2, 1, 0, 0, 2, 0, 0, 1};
    /** The input without y_n: [BOS, y_1, y_2]. */
    private static final int[] SHORT = {2, 1, 0, 2, 0, 0};

    @Test
    void theDecoderReadsBosAndEveryTarget() {
        Tensor in = P1Objective.decoderInput(BATCH.y());
        assertArrayEquals(new int[] {2, 4}, in.shape().dims());
        assertArrayEquals(AUTHORS, in.toIntArray());
    }

    @Test
    void predictionsAreThoseOfTheShortInputButTheDecoderBlowupReadsTheExtraPosition() {
        P1ScratchpadTransformer m = new P1ScratchpadTransformer(16, 2, 2, 8, Init.f32(3));
        Tensor pred = P1Objective.predict(m, BATCH);
        assertArrayEquals(new int[] {2, 3}, pred.shape().dims());
        // the causal mask: dropping the output at y_n leaves the outputs of [BOS, y_1, y_2]
        assertArrayEquals(m.forward(BATCH.x(), Tensor.ofInts(SHORT, 2, 3)).toFloatArray(), pred.toFloatArray(), 1e-5f);

        Map<String, double[]> measured = LayerNormBlowup.measure(m, () -> P1Objective.predict(m, BATCH));
        Map<String, double[]> authors = LayerNormBlowup.measure(m, () -> m.forward(BATCH.x(), Tensor.ofInts(AUTHORS, 2, 4)));
        Map<String, double[]> shorter = LayerNormBlowup.measure(m, () -> m.forward(BATCH.x(), Tensor.ofInts(SHORT, 2, 3)));
        for (String k : authors.keySet()) assertEquals(authors.get(k)[0], measured.get(k)[0], 1e-9 * Math.abs(authors.get(k)[0]), k);
        double last = measured.get("inv_std_decoder_1_ln1_max")[0], lastShort = shorter.get("inv_std_decoder_1_ln1_max")[0];
        assertTrue(Math.abs(last - lastShort) > 1e-4 * last, "the last decoder layer reads position n, not n - 1: " + last + " vs " + lastShort);
        assertEquals(shorter.get("blowup_encoder_maxs_prod")[0], measured.get("blowup_encoder_maxs_prod")[0],
                1e-6 * measured.get("blowup_encoder_maxs_prod")[0], "the encoder does not see the decoder's input");
    }
}
