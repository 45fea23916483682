package org.biaslab.experiment.p2;

import java.util.ArrayList;
import java.util.List;
import org.biaslab.io.hf.VitConfig;
import java.util.Map;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Init;
import org.biaslab.nn.PretrainedModel.Input;
import org.biaslab.nn.vit.VitClassifier;
import org.biaslab.probe.smoothing.Smoothing;
import org.biaslab.probe.spectrum.Census;
import org.biaslab.probe.spectrum.Dominance;
import org.biaslab.probe.spectrum.LayerSpectrum;
import org.biaslab.probe.spectrum.ValueOutput;
import org.biaslab.probe.spectrum.ValueOutputMaps;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.biaslab.train.MemberState;
import org.ejml.data.Complex_F64;

/**
 * What P2 measures on a trained ViT ensemble, member by member on the host: the smoothing metrics of every hidden state
 * (0 = the embeddings, then each layer's output) on test images ({@link Smoothing}: token cosine similarity, HFC/LFC,
 * distance to rank one); the census of dominating eigenvalues per layer over all members and a few test images, with
 * H_h as parameterised and with the γ of {@code layernorm_before} folded in (diag(γ) H_h, what acts on the normalised
 * tokens); and member 0's eigenvalues of every H_h.
 *
 * @param members     each member's smoothing metrics by hidden state
 * @param census      per layer, the census over members, heads and images with H_h unfolded
 * @param foldedCensus the total over layers with γ folded into H_h
 * @param eigenvalues member 0's eigenvalues of each H_h without its structural zeros (d_head for the baseline, d for
 *                    "±"): {layer, head, Re λ, Im λ}
 */
public record VitMeasurement(List<Member> members, List<Census.Counts> census, Census.Counts foldedCensus, List<double[]> eigenvalues) {
    /** One member's metrics of hidden state {@code state}. */
    public record State(int state, double cosine, double hfcLfc, double rankOneDistance) {}

    /** One member (its seed) and its metrics by hidden state. */
    public record Member(long seed, List<State> states) {}

    /** Measures {@code model} (E members with {@code seeds}) on {@code images} (B, C, H, W); the census on the first {@code censusImages}. */
    public static VitMeasurement of(VitClassifier model, VitConfig config, int classes, long[] seeds, Tensor images, int censusImages) {
        int k = Math.min(censusImages, images.dim(0));
        List<Member> members = new ArrayList<>();
        List<Census.Counts> census = new ArrayList<>();
        Census.Counts folded = new Census.Counts(0, 0, 0);
        List<double[]> eig = new ArrayList<>();
        for (int e = 0; e < seeds.length; e++) {
            VitClassifier m = member(model, config, classes, e);
            List<State> states = new ArrayList<>();
            Map<String, List<Tensor>> patterns;
            try (var off = GradMode.off(); Hooks.Capture c = m.hooks().capture("**.hook_pattern")) {
                List<Tensor> hidden = m.vit().hiddenStates(Input.pixels(images));
                for (int s = 0; s < hidden.size(); s++) {
                    Smoothing x = Smoothing.of(hidden.get(s), null);
                    states.add(new State(s, x.cosine(), x.hfcLfc(), x.rankOneDistance()));
                }
                patterns = c.values();
            }
            members.add(new Member(seeds[e], states));
            // the census on the first k images' patterns (B, heads, T, T); hook names are paths from the classifier
            java.util.function.Function<String, Tensor> first = p -> patterns.containsKey(p) ? patterns.get(p).getLast().slice(0, 0, k) : null;
            List<ValueOutput> maps = ValueOutputMaps.of(m, false);
            List<Census.Layer> layers = Census.of(maps, first, null, Dominance.TOLERANCE);
            for (int l = 0; l < layers.size(); l++) {
                Census.Counts c = layers.get(l).counts();
                if (census.size() <= l) census.add(c);
                else census.set(l, census.get(l).plus(c));
            }
            folded = folded.plus(Census.total(Census.of(ValueOutputMaps.of(m, true), first, null, Dominance.TOLERANCE)));
            if (e > 0) continue;
            for (int l = 0; l < maps.size(); l++) {
                for (int h = 0; h < maps.get(l).heads(); h++) {
                    for (Complex_F64 z : maps.get(l).compactEigenvalues(h)) eig.add(new double[] {l, h, z.real, z.imaginary});
                }
            }
        }
        return new VitMeasurement(members, census, folded, eig);
    }

    /** Member e of an ensemble as a single model on the host (parameters copied, PyTorch's shapes). */
    public static VitClassifier member(VitClassifier model, VitConfig config, int classes, int e) {
        VitClassifier single = new VitClassifier(config, model.variant(), classes, Init.forLoading(DType.F32));
        single.load(MemberState.member(model.namedParameters(), model.members(), e));
        return single;
    }

    /** The asymmetry ‖H − Hᵀ‖_F / ‖H + Hᵀ‖_F of each layer of a single model, averaged over its heads. */
    public static double[] asymmetry(VitClassifier single) {
        return LayerSpectrum.of(ValueOutputMaps.of(single, false)).stream().mapToDouble(LayerSpectrum::asymmetryMean).toArray();
    }
}
