package org.biaslab.train;

import org.biaslab.data.Batch;
import org.biaslab.nn.P1Transformer;
import org.biaslab.probe.P1Objective;
import org.biaslab.tensor.Autograd;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * A P1 training step's forward, loss and backward captured once as a CUDA graph on GPU copies of one batch: each step
 * copies its batch into them ({@link #feed}) and replays ({@link #replay}); the optimiser runs eagerly on the gradients
 * the graph writes (AdamW's bias corrections change every step, and a graph fixes every value the host passes). The
 * gradient fields are the graph's tensors, so no zeroGrad between steps: each replay writes them afresh. Replays give
 * the eager step's bits (P1GraphTest); the graph holds its own device memory (about 17 GiB for 32 members at batch
 * 1024, n 20) until {@link #close}.
 */
public final class CapturedStep implements AutoCloseable {
    private final Batch on; // (E, B, n) bits and (E, B) targets on the GPU, read by every replay
    private final Tensor[] losses = new Tensor[1]; // (E), written by every replay
    private final CudaGraph graph;

    private CapturedStep(P1Transformer model, Batch first, int members) {
        on = new Batch(first.x().to(Device.CUDA), first.y().to(Device.CUDA));
        Tensor one = Tensor.scalar(DType.F32, 1).to(Device.CUDA); // the backward's seed, made before the capture
        for (Tensor p : model.namedParameters().values()) p.zeroGrad();
        try (var off = GradMode.off()) {
            P1Objective.predict(model, on).toDoubleArray(); // the position embeddings keep their GPU ids for the capture
        }
        graph = CudaGraph.capture(() -> {
            losses[0] = P1Objective.loss(P1Objective.predict(model, on), on.y(), members);
            Autograd.backward(losses[0].sum(), one);
        });
    }

    /** Captures the step of {@code model} (on the GPU, float32) on a copy of {@code first}; runs nothing yet. */
    public static CapturedStep capture(P1Transformer model, Batch first, int members) {
        return new CapturedStep(model, first, members);
    }

    /** Copies {@code b} (same shapes as the first batch) into the graph's input. */
    public void feed(Batch b) {
        CudaGraph.copy(on.x(), b.x());
        CudaGraph.copy(on.y(), b.y());
    }

    /** Replays forward, loss and backward; returns each member's loss, (E), overwritten by the next replay. */
    public Tensor replay() {
        graph.replay();
        return losses[0];
    }

    /** Device bytes the graph holds. */
    public long bytes() {
        return graph.bytes();
    }

    @Override
    public void close() {
        graph.close();
    }
}
