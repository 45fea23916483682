package org.biaslab.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.biaslab.data.Batch;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.InPlace;
import org.biaslab.tensor.Tensor;

/**
 * P1's sharpness with its R perturbed forward passes replayed from one CUDA graph, for a model whose parameters stay
 * as they are between batches (a final measurement). The graph holds one repeat: θ_p ← θ⁰_p + s_p for every perturbed
 * parameter p, then the loss on a fixed device batch. Each repeat copies its fixed steps ε·ξ_r into s and replays, so a
 * batch costs about (P + 2)·R device ops, P the perturbed parameters, instead of R forward passes' worth of launches;
 * the kernels are the eager ones in the eager order, so S has the bits of {@link Sharpness#next(Tensor,
 * java.util.function.Supplier)}. The graph and its copies of θ⁰ and s hold device memory until {@link #close}.
 */
public final class ReplayedSharpness implements AutoCloseable {
    private final Sharpness sharpness;
    private final List<Tensor> perturbed, steps; // θ_p, and ε·ξ_r per repeat and parameter (r-major)
    private final List<Tensor> original = new ArrayList<>(), slot = new ArrayList<>(); // θ⁰_p and s_p, read by the graph
    private final int repeats;
    private final Batch on; // the graph's batch on the GPU
    private final Tensor[] loss = new Tensor[1]; // (E), written by every replay
    private final CudaGraph graph;

    ReplayedSharpness(Sharpness sharpness, List<Tensor> perturbed, List<Tensor> steps, int repeats, Function<Batch, Tensor> lossOn, Batch first) {
        this.sharpness = sharpness;
        this.perturbed = perturbed;
        this.steps = steps;
        this.repeats = repeats;
        try (var off = GradMode.off()) {
            for (int i = 0; i < perturbed.size(); i++) {
                original.add(perturbed.get(i).copy());
                slot.add(steps.get(i).copy());
            }
            on = new Batch(first.x().to(Device.CUDA), first.y().to(Device.CUDA));
            lossOn.apply(on).toDoubleArray(); // the embeddings keep their GPU ids (member offsets, positions) for the capture
            graph = CudaGraph.capture(() -> {
                for (int i = 0; i < perturbed.size(); i++) InPlace.copy(perturbed.get(i), original.get(i).add(slot.get(i))); // θ⁰ + ε·ξ_r
                loss[0] = lossOn.apply(on);
            });
        }
    }

    /** S of each member on batch {@code b}, with {@code base} = L(θ) on it (the measurement's own loss pass). */
    public double[] next(Tensor base, Batch b) {
        try (var off = GradMode.off()) {
            CudaGraph.copy(on.x(), b.x());
            CudaGraph.copy(on.y(), b.y());
            List<Tensor> losses = new ArrayList<>();
            losses.add(base);
            try {
                for (int r = 0; r < repeats; r++) {
                    for (int i = 0; i < slot.size(); i++) CudaGraph.copy(slot.get(i), steps.get(r * slot.size() + i));
                    graph.replay();
                    losses.add(loss[0].copy());
                }
            } finally {
                for (int i = 0; i < perturbed.size(); i++) InPlace.copy(perturbed.get(i), original.get(i));
            }
            return sharpness.fromLosses(losses);
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
