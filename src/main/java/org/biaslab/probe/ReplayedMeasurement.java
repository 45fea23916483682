package org.biaslab.probe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.data.Batch;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1Transformer;
import org.biaslab.tensor.CudaGraph;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.InPlace;
import org.biaslab.tensor.Shape;
import org.biaslab.tensor.Tensor;

/**
 * P1's end-of-training measurement of a batch ({@link FinalMeasurements}) replayed from CUDA graphs, for a
 * {@link P1Transformer} on the GPU whose parameters stay as they are between batches. One graph holds the measuring
 * pass: the forward pass with the LayerNorm inputs' variances ({@link LayerNormBlowup#variances}), the loss L(θ) and
 * the accuracy. With sharpness, another holds one perturbed pass: θ_p ← θ⁰_p + s_p for every perturbed parameter,
 * then the loss, shifted into the last row of an (R, E) buffer. Each repeat copies its fixed step ε·ξ_r, kept on the
 * device as one flat tensor, into s and replays. (One graph for the whole batch would hold the intermediates of all
 * R + 1 passes: blocks are not reused within a capture.) A batch is queued without waiting ({@link #launch}) and read
 * back in one copy ({@link #take}), so the host can work on one batch's values while the GPU measures the next. The
 * kernels are the eager ones in the eager order, so every value has the eager measurement's bits. The graphs, θ⁰ and
 * the steps hold device memory until {@link #close}.
 */
final class ReplayedMeasurement implements AutoCloseable {
    private final int members, repeats;
    private final Sharpness sharpness; // null: no sharpness
    private final Batch on; // the graphs' batch on the GPU
    private final List<String> lnNames = new ArrayList<>(); // the variances' hook names, in the measuring output's order
    private final List<Integer> lnSizes = new ArrayList<>();
    private final List<Tensor> perturbed, original = new ArrayList<>(), steps; // θ_p, θ⁰_p, ε·ξ_r flat (N) per r
    private Tensor slot, measured, ring, flat; // s (N); L(θ), accuracy, variances; (R, E) perturbed losses; both, read back
    private final CudaGraph measuring, perturbing;

    private ReplayedMeasurement(P1Transformer model, boolean blowup, Sharpness sharpness, List<Tensor> steps, Batch first) {
        this.members = model.members();
        this.sharpness = sharpness;
        this.repeats = sharpness == null ? 0 : sharpness.repeats();
        this.perturbed = sharpness == null ? List.of() : sharpness.perturbed();
        this.steps = steps;
        int count = perturbed.size();
        try (var off = GradMode.off()) {
            for (Tensor p : perturbed) original.add(p.copy());
            on = new Batch(first.x().to(Device.CUDA), first.y().to(Device.CUDA));
            Runnable measure = () -> measured = measure(model, blowup);
            measure.run(); // once eagerly: kernels loaded, and the embeddings keep their GPU ids (member offsets, positions)
            measuring = CudaGraph.capture(measure);
            if (repeats == 0) {
                perturbing = null;
                return;
            }
            slot = steps.getFirst().copy();
            ring = Tensor.zeros(DType.F32, Shape.of(repeats, members), Device.CUDA);
            Runnable perturb = () -> {
                int at = 0;
                for (int i = 0; i < count; i++) { // θ⁰ + ε·ξ_r
                    Tensor p = perturbed.get(i);
                    InPlace.copy(p, original.get(i).add(slot.slice(0, at, at + p.size()).reshape(p.shape().dims())));
                    at += p.size();
                }
                Tensor loss = P1Objective.loss(P1Objective.predict(model, on), on.y(), members).reshape(1, members);
                InPlace.copy(ring, repeats == 1 ? loss : Tensor.concat(0, ring.slice(0, 1, repeats), loss)); // the oldest out, this one last
            };
            perturb.run();
            restore();
            perturbing = CudaGraph.capture(perturb);
        }
    }

    /** The measuring pass on the graphs' batch: L(θ) (E), the accuracy (E), then each LN's variances, flat. */
    private Tensor measure(P1Transformer model, boolean blowup) {
        Tensor pred;
        Map<String, Tensor> variances = Map.of();
        if (blowup) {
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            try (Hooks.Capture c = model.hooks().captureAtReadout(LayerNormBlowup.HOOKS)) {
                pred = P1Objective.predict(model, on);
                for (var e : c.values().entrySet()) inputs.put(e.getKey(), e.getValue().getLast());
            }
            variances = LayerNormBlowup.variances(inputs);
        } else {
            pred = P1Objective.predict(model, on);
        }
        List<Tensor> out = new ArrayList<>();
        out.add(P1Objective.loss(pred, on.y(), members).reshape(members));
        out.add(P1Objective.accuracyOf(pred, on.y(), members));
        lnNames.clear();
        lnSizes.clear();
        variances.forEach((name, v) -> {
            lnNames.add(name);
            lnSizes.add(v.size());
            out.add(v.reshape(-1));
        });
        return Tensor.concat(0, out.toArray(Tensor[]::new));
    }

    private void restore() {
        for (int i = 0; i < perturbed.size(); i++) InPlace.copy(perturbed.get(i), original.get(i));
    }

    /**
     * The replayed measurement of {@code model} under {@code plan}, captured on batch {@code first}; null where it does
     * not apply: not a {@link P1Transformer} on the GPU, or sharpness whose steps are not kept on the device.
     */
    static ReplayedMeasurement capture(Module model, FinalMeasurements.Plan plan, Sharpness sharpness, Batch first) {
        if (!(model instanceof P1Transformer m) || m.namedParameters().values().iterator().next().device() != Device.CUDA) return null;
        List<Tensor> steps = sharpness == null ? List.of() : sharpness.replayableSteps();
        if (steps == null) return null;
        CudaGraph.prepare(); // eager passes and replays share cuBLAS's workspace
        return new ReplayedMeasurement(m, plan.blowup(), sharpness, steps, first);
    }

    /** Queues the measurement of batch {@code b} (on either device, shaped like the first) without waiting for it. */
    void launch(Batch b) {
        try (var off = GradMode.off()) {
            CudaGraph.copy(on.x(), b.x());
            CudaGraph.copy(on.y(), b.y());
            measuring.replay();
            if (repeats == 0) {
                flat = measured;
                return;
            }
            try {
                for (Tensor step : steps) {
                    CudaGraph.copy(slot, step);
                    perturbing.replay();
                }
            } finally {
                restore();
            }
            flat = Tensor.concat(0, measured, ring.reshape(-1));
        }
    }

    /** The last launched batch's values, read back when the GPU has them (for {@link #values}). */
    double[] take() {
        return flat.toDoubleArray();
    }

    /**
     * A batch's values from {@link #take}'s, keyed and ordered as the eager measurement's: loss, accuracy, sharpness
     * and sharpness_x4, then the blowup values.
     */
    Map<String, double[]> values(double[] raw) {
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("loss", Arrays.copyOfRange(raw, 0, members));
        out.put("accuracy", Arrays.copyOfRange(raw, members, 2 * members));
        int at = 2 * members;
        Map<String, double[]> variances = new LinkedHashMap<>();
        for (int i = 0; i < lnNames.size(); i++) {
            variances.put(lnNames.get(i), Arrays.copyOfRange(raw, at, at + lnSizes.get(i)));
            at += lnSizes.get(i);
        }
        if (sharpness != null) {
            double[] losses = new double[(repeats + 1) * members]; // (R + 1, E), L(θ) first
            System.arraycopy(raw, 0, losses, 0, members);
            System.arraycopy(raw, at, losses, members, repeats * members);
            FinalMeasurements.putSharpness(out, sharpness.fromLosses(losses));
        }
        if (!variances.isEmpty()) out.putAll(LayerNormBlowup.fromVariances(variances, members));
        return out;
    }

    @Override
    public void close() {
        measuring.close();
        if (perturbing != null) perturbing.close();
    }
}
