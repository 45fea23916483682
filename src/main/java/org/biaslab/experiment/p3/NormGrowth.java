package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.biaslab.data.TextBatch;
import org.biaslab.nn.Init;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.lm.LanguageModel;
import org.biaslab.nn.lm.LmVariant;
import org.biaslab.probe.norm.GrowthFit;
import org.biaslab.probe.norm.NormTrajectory;
import org.biaslab.probe.norm.ParameterNorms;
import org.biaslab.probe.saturation.HeadStatistics;
import org.biaslab.probe.saturation.RepresentationSimilarity;
import org.biaslab.probe.saturation.Saturate;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.biaslab.train.RunDir;

/**
 * P3's norm growth and saturation in language models (papers.md §P3.4 (2), (5)): each variant is trained with its
 * seeds as ensemble members ({@link LmTraining}); after every epoch the similarity to the saturated model,
 * cos(h_ℓ(θ), h_ℓ(cθ)) averaged over the real tokens of the first {@code probeSequences} dev sequences, is logged as
 * {@code sat/layer_ℓ} and, for the last layer (the encodings the classifier reads), {@code sat} (the reference's), beside
 * its baseline {@code aniso/layer_ℓ}, {@code aniso}: the mean cosine between distinct tokens at θ. After training, per seed: the norm trajectory over the epoch checkpoints ({@link NormTrajectory}: ρ, cos(θ_t, θ_{t+1}),
 * update alignment) of the transformer layers, growth-law fits of {@code encoder_norm} over the logged steps
 * ({@link GrowthFit}), and the statistics of the saturated model's heads with causal masks ({@link HeadStatistics}),
 * all kept in {@code <variant>/analysis.json}.
 *
 * @param base           the training config (corpus, slice, preset, optimiser, epochs, seeds); the variant is set per run
 * @param variants       LM variants (control, pre_norm, pre_ln)
 * @param probeSequences dev sequences measured for sat and the head statistics (the reference's heads: 200)
 * @param c              the saturation scale (the reference's 1000)
 */
public record NormGrowth(LmRunConfig base, List<String> variants, int probeSequences, double c) {
    /** The parameters of the trajectory: the transformer layers (embeddings, classifier and Pre-LN's final LN left out). */
    public static final ParameterNorms.Selection LAYERS = new ParameterNorms.Selection("layers.**", false);
    static final String ANALYSIS = "analysis.json";

    public NormGrowth {
        if (variants.isEmpty()) throw new IllegalArgumentException("P3 lm: no variant");
        if (probeSequences < 1) throw new IllegalArgumentException("P3 lm: probeSequences must be positive, got " + probeSequences);
        variants = List.copyOf(variants);
        for (String v : variants) LmVariant.parse(zeroMask(v) ? v.substring(0, v.length() - ZERO_MASK.length()) : v);
    }

    /** The first ~1,500 verses (1,350 training, 150 dev), tiny LMs, seeds 0 and 1, 5 epochs; 150 probe sequences. */
    public static NormGrowth quick(String corpus) {
        LmRunConfig base = LmRunConfig.defaults(corpus).with(Map.of("tokenizer", "words", "maxTrain", 1350, "maxDev", 150,
                "preset", "tiny", "seeds", List.of(0, 1), "epochs", 5, "logEvery", 5));
        return new NormGrowth(base, List.of("control", "pre_norm", "pre_ln", "control" + ZERO_MASK), 150, 1000);
    }

    /** The whole corpus, the reference's model (12 layers, d 768, 12 heads, d_ff 512), seeds 0–2, 5 epochs; 200 probe sequences. */
    public static NormGrowth full(String corpus) {
        LmRunConfig base = LmRunConfig.defaults(corpus).with(Map.of("tokenizer", "words", "preset", "reference",
                "seeds", List.of(0, 1, 2), "epochs", 5, "logEvery", 50));
        return new NormGrowth(base, List.of("control", "pre_norm", "pre_ln", "control" + ZERO_MASK), 200, 1000);
    }

    /** One seed's analysis of a trained run. */
    public record Member(long seed, List<GrowthFit> fits, List<NormTrajectory.Point> trajectory, List<HeadStatistics.Head> heads) {}

    /** A variant's analysis, one entry per seed. */
    public record Analysis(String variant, List<Member> members) {}

    /** The suffix of a variant trained with the reference's causal mask ({@link LmRunConfig#zeroMask()}, its quirk 1). */
    public static final String ZERO_MASK = "+zero-mask";

    /** The run config of {@code variant}: an LM variant, with {@link #ZERO_MASK} appended for the reference's mask. */
    public LmRunConfig config(String variant) {
        boolean quirk = zeroMask(variant);
        return base.with(Map.of("variant", quirk ? variant.substring(0, variant.length() - ZERO_MASK.length()) : variant, "zeroMask", quirk));
    }

    /** Whether {@code variant} names a run with the reference's causal mask. */
    public static boolean zeroMask(String variant) {
        return variant.endsWith(ZERO_MASK);
    }

    /** Trains the variants not trained yet (resuming interrupted ones) and analyses those not analysed yet. */
    public List<Analysis> run(Path dir, Device device, P3.Observer observer) throws IOException {
        List<Analysis> out = new ArrayList<>();
        for (String v : variants) {
            Path runDir = dir.resolve(v);
            if (Files.exists(runDir.resolve(ANALYSIS))) {
                out.add(read(runDir));
                continue;
            }
            LmRunConfig c = config(v);
            String task = "lm " + v;
            LmTraining.Result r = LmTraining.run(c, runDir, device, (step, total, loss, rate) -> observer.progress(task, step, total,
                    String.format(Locale.ROOT, "loss %.3f, %.0f tokens/s", loss, rate)), (model, epoch, data) -> saturation(model, probe(data), device));
            Analysis a = analyse(v, r, device);
            ResultFiles.write(runDir.resolve(ANALYSIS), a);
            out.add(a);
        }
        return out;
    }

    /** The analysis of a variant read back from {@code runDir/analysis.json}, or null when it has none. */
    static Analysis read(Path runDir) throws IOException {
        return ResultFiles.read(runDir.resolve(ANALYSIS), Analysis.class);
    }

    /** The first {@code probeSequences} dev sequences as one padded batch. */
    TextBatch probe(LmData data) {
        return TextBatch.pad(data.dev().subList(0, Math.min(probeSequences, data.dev().size())), data.maxLen());
    }

    /**
     * {@code sat/layer_ℓ} for ℓ = 1..L and {@code sat} (= the last layer's) of each member: the token-averaged cosine
     * between the hidden states at θ and at cθ on the probe batch, padding masked; and its baseline
     * {@code aniso/layer_ℓ} and {@code aniso}, the mean cosine between distinct tokens' hidden states at θ.
     */
    Map<String, double[]> saturation(LanguageModel model, TextBatch probe, Device device) {
        return saturation(model, probe, c, device);
    }

    /** {@link #saturation(LanguageModel, TextBatch, Device)} at scale {@code c}, for any LM (an ensemble or one model). */
    public static Map<String, double[]> saturation(LanguageModel model, TextBatch probe, double c, Device device) {
        Tensor mask = probe.inputMask(); // (B, T)
        PretrainedModel.Input in = PretrainedModel.Input.tokens(probe.inputs().to(device), mask.to(device));
        List<Tensor> plain, saturated;
        try (var off = GradMode.off()) {
            plain = model.hiddenStates(in); // L + 1 of (…, B, T, d)
            try (Saturate s = Saturate.scale(model, c)) {
                saturated = model.hiddenStates(in);
            }
        }
        int members = model.members();
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int l = 1; l < plain.size(); l++) {
            double[] v = new double[members], a = new double[members];
            for (int e = 0; e < members; e++) {
                Tensor h = member(plain.get(l), e, members);
                v[e] = RepresentationSimilarity.tokenCosine(h, member(saturated.get(l), e, members), mask);
                a[e] = RepresentationSimilarity.anisotropy(h, mask);
            }
            out.put("sat/layer_" + l, v);
            out.put("aniso/layer_" + l, a);
            if (l == plain.size() - 1) {
                out.put("sat", v);
                out.put("aniso", a);
            }
        }
        return out;
    }

    /** Trajectory, fits and head statistics of every member of a trained run. */
    private Analysis analyse(String variant, LmTraining.Result r, Device device) throws IOException {
        RunDir run = r.dir();
        int members = base.seeds().size();
        List<Long> steps = run.checkpointSteps();
        List<Map<String, Object>> metrics = run.metrics();
        TextBatch probe = probe(r.data());
        List<Member> out = new ArrayList<>();
        for (int e = 0; e < members; e++) {
            int m = e;
            long seed = base.seeds().get(e);
            List<NormTrajectory.Point> trajectory = NormTrajectory.of(steps, step -> memberParameters(run.loadModel(step), m, members), LAYERS);
            TreeMap<Long, Double> norms = new TreeMap<>();
            for (Map<String, Object> line : metrics) {
                if (((Number) line.get("seed")).longValue() == seed && line.get("encoder_norm") instanceof Number n) {
                    norms.put(((Number) line.get("step")).longValue(), n.doubleValue());
                }
            }
            List<GrowthFit> fits = GrowthFit.all(norms.keySet().stream().mapToDouble(Long::doubleValue).toArray(),
                    norms.values().stream().mapToDouble(Double::doubleValue).toArray());
            out.add(new Member(seed, fits, trajectory, heads(member(r.model(), m, device), probe, c, device)));
        }
        return new Analysis(variant, out);
    }

    /** Member e of an ensemble LM as a single model on {@code device}. */
    public static LanguageModel member(LanguageModel ensemble, int e, Device device) {
        int members = ensemble.members();
        if (e < 0 || e >= members) throw new IllegalArgumentException("LM: member " + e + " of " + members);
        LanguageModel single = new LanguageModel(ensemble.config(), Init.forLoading(DType.F32));
        single.load(memberParameters(ensemble.namedParameters(), e, members));
        single.to(device);
        return single;
    }

    /** The statistics of a single LM's saturated heads (scale c, causal masks) on the probe batch. */
    public static List<HeadStatistics.Head> heads(LanguageModel single, TextBatch probe, double c, Device device) {
        Tensor ids = probe.inputs().to(device), mask = probe.inputMask();
        return HeadStatistics.saturated(single, () -> single.forward(ids, mask.to(device)), c, mask, point -> true);
    }

    /** Member e of a tensor with a leading member axis (…, kept as (1, …): the token axes stay in place). */
    private static Tensor member(Tensor t, int e, int members) {
        return members == 1 ? t : t.slice(0, e, e + 1);
    }

    /** Member e's parameters without the member axis (as a single model has them). */
    static Map<String, Tensor> memberParameters(Map<String, Tensor> params, int e, int members) {
        if (members == 1) return params;
        Map<String, Tensor> out = new LinkedHashMap<>();
        params.forEach((name, t) -> {
            int[] dims = t.shape().dims();
            out.put(name, t.detach().slice(0, e, e + 1).reshape(Arrays.copyOfRange(dims, 1, dims.length)));
        });
        return out;
    }
}
