package org.biaslab.experiment.p3;

import org.biaslab.tensor.Tensor;

/**
 * Next-token cross-entropy with a padding mask, AllenNLP's {@code sequence_cross_entropy_with_logits} (P3's loss):
 * each sequence's mean negative log-likelihood over its real targets, then the mean over the batch,
 * L = (1/B) Σ_b Σ_t w_bt·(−log p_bt(y_bt)) / Σ_t w_bt. Ensembles get one loss per member.
 */
public final class LmLoss {
    private LmLoss() {}

    /**
     * −log softmax(logits)[target] per position: logits (…, B, T, V) and int32 targets (B, T), shared by every
     * member, -> (…, B, T).
     */
    static Tensor tokenNll(Tensor logits, Tensor targets) {
        return pick(logits.logSoftmax(-1), targets).neg();
    }

    /** logits[…, b, t, targets[b, t]]: (…, B, T, V) -> (…, B, T), a gather through a one-column table. */
    static Tensor pick(Tensor logits, Tensor targets) {
        int v = logits.dim(-1), b = targets.dim(0), t = targets.dim(1);
        if (logits.dim(-3) != b || logits.dim(-2) != t) throw new IllegalArgumentException("LM loss: targets " + targets.shape() + " do not match logits " + logits.shape());
        int rows = logits.size() / v, per = b * t;
        if ((long) rows * v > Integer.MAX_VALUE) throw new IllegalArgumentException("LM loss: " + rows + " × " + v + " logits exceed int32 indexing; use smaller batches");
        int[] y = targets.toIntArray(), index = new int[rows];
        for (int r = 0; r < rows; r++) index[r] = r * v + y[r % per];
        int[] dims = logits.shape().dims();
        Tensor table = logits.reshape(rows * v, 1); // every logit a row
        return table.embedding(Tensor.ofInts(index, rows)).reshape(java.util.Arrays.copyOf(dims, dims.length - 1));
    }

    /** Per-sequence mean over real targets: nll (…, B, T) with int32 mask (B, T) -> (…, B). */
    static Tensor perSequence(Tensor nll, Tensor mask) {
        Tensor w = mask.to(nll.dtype()).to(nll.device()); // (B, T)
        return nll.mul(w).sum(false, -1).div(w.sum(false, -1)); // (…, B, T) -> (…, B)
    }

    /** The batch loss of each member: (members) values, the loss to minimise being their sum. */
    public static Tensor batchLoss(Tensor logits, Tensor targets, Tensor mask, int members) {
        return perSequence(tokenNll(logits, targets), mask).mean(false, -1).reshape(members); // (…, B) -> (E)
    }
}
