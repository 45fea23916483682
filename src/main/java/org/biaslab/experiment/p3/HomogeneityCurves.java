package org.biaslab.experiment.p3;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.biaslab.nn.Init;
import org.biaslab.nn.lm.LanguageModel;
import org.biaslab.nn.lm.LmConfig;
import org.biaslab.nn.lm.LmVariant;
import org.biaslab.probe.saturation.Homogeneity;
import org.biaslab.probe.saturation.Saturate;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * P3's homogeneity curves (papers.md §P3.4 (6), the reference's {@code plot_trans_scale.py}): randomly initialised LMs
 * of each variant, with and without biases, read {@code sentences} random sequences of {@code length} ids from a
 * vocabulary of {@code vocab}; the curve is cos(vec f(x; cθ), vec f(x; 1000θ)) of the flattened final encodings for
 * c ∈ linspace(1, 10, 20) ({@link Homogeneity}). Kept as {@code curves.json}.
 *
 * @param preset the model size (the reference's: d 768, 12 layers, 12 heads, d_ff 512)
 * @param seed   seeds the initialisation and the sequences (the reference's figure is unseeded)
 */
public record HomogeneityCurves(String preset, List<String> variants, int vocab, int length, int sentences, long seed) {
    static final String FILE = "curves.json";

    public HomogeneityCurves {
        variants = List.copyOf(variants);
        variants.forEach(LmVariant::parse);
        LmConfig.preset(preset, 1, 1, LmVariant.CONTROL);
    }

    /** The small preset (4 layers, d 128), the reference's vocabulary 10, length 10, 10 sequences. */
    public static HomogeneityCurves quick() {
        return new HomogeneityCurves("small", List.of("pre_norm", "control", "pre_ln"), 10, 10, 10, 0);
    }

    /** The reference's size. */
    public static HomogeneityCurves full() {
        return new HomogeneityCurves("reference", List.of("pre_norm", "control", "pre_ln"), 10, 10, 10, 0);
    }

    /** One model's curve: similarity[i] at scales[i]. */
    public record Curve(String variant, boolean bias, double[] scales, double[] similarity) {
        /** "pre_norm, bias" or "control, no bias". */
        public String name() {
            return variant + (bias ? ", bias" : ", no bias");
        }
    }

    /** The curves of every variant × bias, computed once. */
    public record Result(List<Curve> curves) {}

    /** Computes the curves unless {@code dir/curves.json} holds them. */
    public Result run(Path dir, Device device, P3.Observer observer) throws IOException {
        Result kept = ResultFiles.read(dir.resolve(FILE), Result.class);
        if (kept != null) return kept;
        Rng rng = new Rng(seed);
        int[] ids = new int[sentences * length];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(vocab);
        Tensor x = Tensor.ofInts(ids, sentences, length).to(device); // (B, T)
        List<Curve> curves = new ArrayList<>();
        int total = variants.size() * 2, done = 0;
        for (String v : variants) {
            for (boolean bias : new boolean[] {true, false}) {
                observer.progress("homogeneity", done++, total, v + (bias ? ", bias" : ", no bias"));
                LmConfig p = LmConfig.preset(preset, vocab, length, LmVariant.parse(v));
                LanguageModel model = new LanguageModel(new LmConfig(vocab, p.d(), p.layers(), p.heads(), p.ffn(), length, p.variant(), bias),
                        Init.f32(seed));
                model.to(device);
                double[] sim = Homogeneity.curve(model, () -> model.encode(x, null), Homogeneity.SCALES, Saturate.INFINITY);
                curves.add(new Curve(v, bias, Homogeneity.SCALES.clone(), sim));
            }
        }
        observer.progress("homogeneity", total, total, "");
        Result r = new Result(curves);
        ResultFiles.write(dir.resolve(FILE), r);
        return r;
    }
}
