package org.biaslab.probe;

import org.biaslab.data.Batch;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1ScratchpadTransformer;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * P1's objective on a batch (docs/papers.md §P1.9.0): predictions of a P1 model (the scratchpad model teacher-forced on
 * [BOS, y_1, …, y_n] with its last output dropped, as the reference's {@code get_output_loss_acc}), the MSE against the
 * {0,1} targets and the accuracy (output > 0.5) = target, each per ensemble member. Under the causal mask the kept
 * outputs are those of [BOS, y_1, …, y_{n−1}]; the extra position matters to what hooks see, e.g. the decoder's
 * LayerNorm blowup, whose last layer reads the final position.
 */
public final class P1Objective {
    private P1Objective() {}

    /** Predictions shaped like the batch's targets, for a {@link P1Transformer} or a {@link P1ScratchpadTransformer}. */
    public static Tensor predict(Module model, Batch b) {
        if (model instanceof P1Transformer m) return m.forward(b.x());
        if (model instanceof P1ScratchpadTransformer s) {
            int n = b.y().dim(-1);
            return s.forward(b.x(), decoderInput(b.y())).slice(-1, 0, n); // (…, n + 1) -> (…, n)
        }
        throw new IllegalArgumentException("P1 objective: needs a P1 model, got " + model.getClass().getSimpleName());
    }

    /** The decoder input [BOS, y_1, …, y_n] (…, n + 1) from the prefix-parity targets (…, n). */
    static Tensor decoderInput(Tensor y) {
        float[] v = y.toFloatArray();
        int n = y.dim(-1), rows = v.length / n;
        int[] in = new int[rows * (n + 1)];
        for (int r = 0; r < rows; r++) {
            in[r * (n + 1)] = P1ScratchpadTransformer.BOS;
            for (int t = 0; t < n; t++) in[r * (n + 1) + t + 1] = (int) v[r * n + t];
        }
        int[] dims = y.shape().dims();
        dims[dims.length - 1] = n + 1;
        return Tensor.ofInts(in, dims);
    }

    /**
     * The mean squared error of each member: (E) for an ensemble, a scalar for one model. Both sum a member's
     * values as one flat row, so an ensemble member's loss has exactly the bits of its model trained alone.
     */
    public static Tensor loss(Tensor pred, Tensor y, int members) {
        Tensor sq = pred.sub(y).pow(2.0);
        return members == 1 ? sq.reshape(-1).mean() : sq.reshape(members, -1).mean(false, 1);
    }

    /** The fraction of outputs with (output > 0.5) = target, for each member. */
    public static double[] accuracy(Tensor pred, Tensor y, int members) {
        try (var off = GradMode.off()) {
            return accuracyOf(pred, y, members).toDoubleArray();
        }
    }

    /** {@link #accuracy} on the predictions' device: (E) (1 for one model). */
    static Tensor accuracyOf(Tensor pred, Tensor y, int members) {
        return pred.gt(0.5).eq(y).reshape(members, -1).mean(false, 1);
    }

    /** The model's loss on a fixed batch at its current parameters, as a closure for {@link Sharpness}. */
    public static java.util.function.Supplier<Tensor> lossOn(Module model, Batch b) {
        return () -> loss(predict(model, b), b.y(), model.members());
    }

    /** The fraction of prefix parities decoded right greedily (P1's {@code autoregressive_accuracy}), per member. */
    public static double[] autoregressiveAccuracy(P1ScratchpadTransformer model, Batch b) {
        Tensor answer = model.autoregressive(b.x(), b.y()).to(b.y().dtype()); // the targets as the guess: one pass where all are right
        try (var off = GradMode.off()) {
            return answer.eq(b.y()).reshape(model.members(), -1).mean(false, 1).toDoubleArray();
        }
    }
}
