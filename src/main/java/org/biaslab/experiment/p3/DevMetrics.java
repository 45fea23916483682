package org.biaslab.experiment.p3;

import java.util.List;
import org.biaslab.data.TextBatch;
import org.biaslab.nn.lm.LanguageModel;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * The reference's per-epoch dev metrics, one value per ensemble member: {@code loss}, the mean over dev sequences of
 * each sequence's mean next-token cross-entropy (nats); {@code acc1}, the fraction of real targets whose logit is the
 * largest; {@code ppl} = exp(loss) (the reference reports 2^loss of natural-log losses, averaged per sequence).
 */
public record DevMetrics(double[] loss, double[] acc1, double[] ppl) {
    /** Evaluates {@code model} on {@code batches} without recording gradients. */
    public static DevMetrics of(LanguageModel model, List<TextBatch> batches, Device device) {
        int members = model.members();
        double[] lossSum = new double[members], correct = new double[members];
        long sequences = 0, tokens = 0;
        try (var off = GradMode.off()) {
            for (TextBatch b : batches) {
                Tensor targets = b.targets(), mask = b.targetMask();
                Tensor logits = model.forward(b.inputs().to(device), null); // (…, B, T, V)
                double[] perSeq = LmLoss.perSequence(LmLoss.tokenNll(logits, targets), mask).toDoubleArray(); // (…, B)
                double[] picked = LmLoss.pick(logits, targets).toDoubleArray(), max = logits.max(-1, false).toDoubleArray(); // (…, B, T)
                int[] m = mask.toIntArray();
                int bt = m.length, bs = b.size();
                for (int e = 0; e < members; e++) {
                    for (int i = 0; i < bs; i++) lossSum[e] += perSeq[e * bs + i];
                    for (int i = 0; i < bt; i++) if (m[i] == 1 && picked[e * bt + i] >= max[e * bt + i]) correct[e]++;
                }
                sequences += bs;
                for (int v : m) tokens += v;
            }
        }
        double[] loss = new double[members], acc = new double[members], ppl = new double[members];
        for (int e = 0; e < members; e++) {
            loss[e] = lossSum[e] / sequences;
            acc[e] = correct[e] / tokens;
            ppl[e] = Math.exp(loss[e]);
        }
        return new DevMetrics(loss, acc, ppl);
    }
}
