package org.biaslab.probe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.InPlace;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.biaslab.tensor.cuda.Cuda;

/**
 * P1's sharpness, the mean loss increase under Gaussian parameter noise (docs/papers.md §P1.7, the reference code's
 * {@code hessian_norm_proxy}): S = (1/R) Σ_r L(θ + ε·ξ_r) − L(θ), ξ_r ~ N(0, I) on every parameter not excluded.
 * For small ε, E[S] ≈ (ε²/2)·tr ∇²L(θ). Plots in P1 show 4·S, the same quantity for ±1 labels.
 *
 * <p>Parameters are perturbed in place and written back bit for bit, so the model (and an optimiser holding its
 * tensors) is unchanged afterwards. Ensemble member e draws its noise from its own generator, so its value equals
 * that of the model trained alone with the same noise seed.
 */
public final class Sharpness {
    private final Module model;
    private final SharpnessConfig config;
    private final long[] seeds;
    private final Rng[] continuing;
    /** ε·ξ_r for every repeat r and perturbed parameter (r-major), kept when the directions are fixed and fit the cap. */
    private List<Tensor> fixedSteps;

    /** The most bytes of noise kept between batches on the CPU; beyond it, fixed directions are drawn again for every batch. */
    static final long NOISE_CACHE_BYTES = 1L << 30;

    /** The most bytes of fixed directions kept on device {@code d}: 1 GiB on the CPU, a quarter of the GPU's memory. */
    public static long noiseCacheBytes(Device d) {
        return d == Device.CUDA ? Cuda.totalMemory() / 4 : NOISE_CACHE_BYTES;
    }

    /** The values the noise perturbs per member of {@code model} (all its parameters but {@code config}'s exclusion). */
    public static long perturbedValues(Module model, SharpnessConfig config) {
        long values = 0;
        for (Tensor p : perturbed(model, config)) values += p.size();
        return values / model.members();
    }

    /** Whether this measures {@code model} (the same object). */
    boolean measures(Module model) {
        return this.model == model;
    }

    /** Noise seeded with {@code config.seed()} for every member. */
    public Sharpness(Module model, SharpnessConfig config) {
        this(model, config, filled(model.members(), config.seed()));
    }

    /** Noise of member e seeded with {@code memberSeeds[e]} (P1's dynamics re-seed with each run's seed). */
    public Sharpness(Module model, SharpnessConfig config, long[] memberSeeds) {
        if (memberSeeds.length != model.members()) {
            throw new IllegalArgumentException("sharpness: " + memberSeeds.length + " seeds for " + model.members() + " members");
        }
        this.model = model;
        this.config = config;
        this.seeds = memberSeeds.clone();
        this.continuing = generators();
    }

    /**
     * S on one batch for each member. {@code loss} evaluates the model at its current parameters and returns the
     * loss of each member ((E) values, or a scalar for one model), e.g. P1's MSE on a fixed batch.
     */
    public double[] next(Supplier<Tensor> loss) {
        try (var off = GradMode.off()) {
            return next(loss.get(), loss);
        }
    }

    /**
     * As {@link #next(Supplier)}, with L(θ) already evaluated as {@code base} (the same forward pass on the same
     * parameters, e.g. the measurement's own): one forward pass fewer per batch.
     */
    public double[] next(Tensor base, Supplier<Tensor> loss) {
        Rng[] noise = config.fixedDirections() ? generators() : continuing;
        List<Tensor> perturbed = perturbed(), original = new ArrayList<>();
        try (var off = GradMode.off()) {
            for (Tensor p : perturbed) original.add(p.copy());
            List<Tensor> losses = new ArrayList<>(); // L(θ), then L(θ + ε·ξ_r): read back together, so the device never waits
            losses.add(base);
            List<Tensor> steps = config.fixedDirections() ? fixedSteps(perturbed) : null;
            try {
                for (int r = 0; r < config.repeats(); r++) {
                    for (int i = 0; i < perturbed.size(); i++) {
                        Tensor p = perturbed.get(i);
                        Tensor step = steps != null ? steps.get(r * perturbed.size() + i) : step(p, noise).to(p.device());
                        InPlace.copy(p, original.get(i).add(step)); // θ + ε·ξ_r
                    }
                    losses.add(loss.get());
                }
            } finally {
                for (int i = 0; i < perturbed.size(); i++) InPlace.copy(perturbed.get(i), original.get(i));
            }
            return fromLosses(losses);
        }
    }

    /**
     * The fixed steps ε·ξ_r kept on the GPU for a measurement that replays its perturbed passes from a CUDA graph
     * ({@link ReplayedMeasurement}): one flat (N) tensor per repeat, every perturbed parameter's steps in the model's
     * order; null where that does not apply (not on the GPU, nothing perturbed, fresh directions, or too large to keep).
     * They are drawn for the replay alone, so the eager path's per-parameter copies are never made beside them.
     */
    List<Tensor> replayableSteps() {
        List<Tensor> perturbed = perturbed();
        if (perturbed.isEmpty() || perturbed.getFirst().device() != Device.CUDA || !config.fixedDirections() || !fits(perturbed)) return null;
        return flatSteps(Device.CUDA);
    }

    /** The fixed steps as one flat tensor per repeat on {@code device}: the values the eager path adds, in its order. */
    List<Tensor> flatSteps(Device device) {
        List<Tensor> perturbed = perturbed();
        Rng[] noise = generators();
        List<Tensor> flat = new ArrayList<>();
        for (int r = 0; r < config.repeats(); r++) {
            Tensor[] parts = new Tensor[perturbed.size()];
            for (int i = 0; i < parts.length; i++) parts[i] = step(perturbed.get(i), noise).reshape(-1);
            flat.add(Tensor.concat(0, parts).to(device)); // (N): repeat r
        }
        return flat;
    }

    /** R, the perturbed passes per batch. */
    int repeats() {
        return config.repeats();
    }

    /** The parameters the noise perturbs, in the model's order. */
    List<Tensor> perturbed() {
        return perturbed(model, config);
    }

    private static List<Tensor> perturbed(Module model, SharpnessConfig config) {
        Predicate<String> skip = ParameterNorm.excludes(config.exclude());
        List<Tensor> out = new ArrayList<>();
        for (var e : model.namedParameters().entrySet()) if (!skip.test(e.getKey())) out.add(e.getValue());
        return out;
    }

    /** S of each member from the losses L(θ), L(θ + ε·ξ_1), …, L(θ + ε·ξ_R), each (E) on the device, read in one copy. */
    double[] fromLosses(List<Tensor> losses) {
        return fromLosses(read(losses));
    }

    /** S of each member from the losses read back: (R + 1, E), L(θ) first. */
    double[] fromLosses(double[] l) {
        int members = seeds.length;
        double[] s = new double[members];
        for (int e = 0; e < members; e++) {
            double sum = 0;
            for (int r = 1; r <= config.repeats(); r++) sum += l[r * members + e];
            s[e] = sum / config.repeats() - l[e];
        }
        return s;
    }

    /** ε·ξ shaped like p, on the CPU; member e's slice from noise[e]. */
    private Tensor step(Tensor p, Rng[] noise) {
        return gaussian(p, noise).mul(config.eps());
    }

    /**
     * The fixed directions' steps on the parameters' device, drawn once: the same values the generators, re-seeded for
     * every batch, would give again. Null when they would not {@link #fits fit}.
     */
    private List<Tensor> fixedSteps(List<Tensor> perturbed) {
        if (fixedSteps != null) return fixedSteps;
        if (!fits(perturbed)) return null;
        Rng[] noise = generators();
        List<Tensor> steps = new ArrayList<>();
        for (int r = 0; r < config.repeats(); r++) for (Tensor p : perturbed) steps.add(step(p, noise).to(p.device()));
        return fixedSteps = steps;
    }

    /** Whether the R steps of every perturbed parameter fit in {@link #noiseCacheBytes} on the parameters' device. */
    private boolean fits(List<Tensor> perturbed) {
        long bytes = 0;
        for (Tensor p : perturbed) bytes += 4L * p.size() * config.repeats();
        return perturbed.isEmpty() || bytes <= noiseCacheBytes(perturbed.getFirst().device());
    }

    /** The losses' values in one copy to the host, checked to hold one value per member each. */
    private double[] read(List<Tensor> losses) {
        for (Tensor l : losses) {
            if (l.size() != seeds.length) {
                throw new IllegalArgumentException("sharpness: the loss has " + l.size() + " values for " + seeds.length + " members");
            }
        }
        return Tensor.stack(0, losses.stream().map(l -> l.reshape(seeds.length)).toArray(Tensor[]::new)).toDoubleArray();
    }

    /** N(0, 1) noise shaped like p; member e's slice (the leading axis of an ensemble) comes from noise[e]. */
    private static Tensor gaussian(Tensor p, Rng[] noise) {
        double[] v = new double[p.size()];
        int per = v.length / noise.length;
        // members draw in parallel, each from its own generator in its own order
        IntStream.range(0, noise.length).parallel().forEach(e -> {
            for (int i = 0; i < per; i++) v[e * per + i] = noise[e].normal();
        });
        return Tensor.of(v, p.shape().dims()).to(p.dtype());
    }

    private Rng[] generators() {
        Rng[] g = new Rng[seeds.length];
        for (int e = 0; e < g.length; e++) g[e] = new Rng(seeds[e]);
        return g;
    }

    private static long[] filled(int n, long value) {
        long[] a = new long[n];
        Arrays.fill(a, value);
        return a;
    }
}
