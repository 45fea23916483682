package org.biaslab.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.biaslab.data.Idx;
import org.biaslab.experiment.p1.RunMeasurements;
import org.biaslab.experiment.p2.VitMeasurement;
import org.biaslab.experiment.p2.VitTraining;
import org.biaslab.io.FormatException;
import org.biaslab.io.TensorFile;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Init;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1Transformer;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.vit.Vit;
import org.biaslab.nn.vit.VitClassifier;
import org.biaslab.probe.smoothing.Smoothing;
import org.biaslab.probe.spectrum.Census;
import org.biaslab.probe.spectrum.Dominance;
import org.biaslab.probe.spectrum.LayerNormSign;
import org.biaslab.probe.spectrum.LayerSpectrum;
import org.biaslab.probe.spectrum.ValueOutput;
import org.biaslab.probe.spectrum.ValueOutputMaps;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * {@code analyse MODEL --spectra}: P2's per-layer spectra of the value–output maps H_h = W_V^h W_O^h, and with inputs
 * the smoothing metrics of every hidden state and the census of dominating eigenvalues (docs/p2.md). MODEL is a
 * pretrained model, a P1 run directory, or a P2 ViT run directory; a P1 run is fed random bit strings of its length,
 * a ViT images from an IDX file.
 */
final class SpectraReport {
    /** Random bit strings a P1 run is measured on. */
    static final int P1_INPUTS = 32;

    private SpectraReport() {}

    /** What to compute: the census, γ folding, and the fraction of γ entries to flip (null: none) with its seed. */
    record Options(boolean census, boolean foldLn, Double flipLn, long flipSeed) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Report(String model, String architecture, Integer member, boolean foldLn, Double flipLn, List<String> flippedNorms, Integer inputs,
                  List<Layer> layers, List<State> hiddenStates, Counts census) {}

    /** One attention layer: statistics of its H_h over heads ({@link LayerSpectrum}), and its census. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Layer(int layer, String attention, String norm, int heads, double ovMaxAbsEigMean, double ovTraceMean, double ovAsymmetryMean,
                 double ovNegativeFraction, double ovSumMaxAbsEig, double ovSumAsymmetry, Counts census) {}

    /** Census counts over (head, input) cases and their percentages. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Counts(long smoothing, long sharpening, long tied, double smoothingPct, double sharpeningPct, double tiedPct) {
        static Counts of(Census.Counts c) {
            double[] p = c.percentages();
            return new Counts(c.smoothing(), c.sharpening(), c.tied(), p[0], p[1], p[2]);
        }
    }

    /** Smoothing metrics of hidden state {@code state} (0 = the embeddings), averaged over the inputs. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record State(int state, double cosine, double hfcLfc, double rankOneDistance) {}

    /** A forward pass's hidden states (B, T, d) and its attention mask (null: no padding). */
    private record Run(List<Tensor> states, Tensor mask) {}

    /** Whether {@code spec} names a P1 run directory (one with a {@code latest} checkpoint pointer). */
    static boolean isRunDirectory(String spec) {
        return Files.isRegularFile(Path.of(spec, "latest"));
    }

    /** Whether {@code spec} names a P2 ViT run directory ({@link VitTraining}'s {@code config.json} and {@code ckpt/model.safetensors}). */
    static boolean isVitRunDirectory(String spec) {
        return Files.isRegularFile(Path.of(spec, "config.json")) && Files.isRegularFile(Path.of(spec, "ckpt", "model.safetensors"));
    }

    /** The report of a pretrained model, on {@code input} when not null. */
    static Report of(String name, PretrainedModel m, PretrainedModel.Input input, Options o) {
        if (o.census() && input == null) throw new IllegalArgumentException("--census needs " + (m instanceof Vit ? "--images" : "--text or --file"));
        return report(name, m.architecture(), null, m.module(), input == null ? null : () -> new Run(m.hiddenStates(input), input.attentionMask()), o);
    }

    /**
     * The first {@code count} images (B, C, H, W) of an IDX image file, pixels v/255, the grey channel repeated to the
     * model's num_channels; their H × W must be its image_size², as nothing is resized.
     */
    static Tensor images(Path file, int count, VitConfig c) throws IOException {
        Tensor x = firstImages(file, count); // (B, 1, rows, cols)
        if (x.dim(2) != c.imageSize() || x.dim(3) != c.imageSize()) {
            throw new IllegalArgumentException(String.format("%s: images are (C, H, W) = (1, %d, %d), the model takes (%d, %d, %d); "
                    + "biaslab does not resize", file, x.dim(2), x.dim(3), c.numChannels(), c.imageSize(), c.imageSize()));
        }
        return x.expand(x.dim(0), c.numChannels(), x.dim(2), x.dim(3));                  // -> (B, C, H, W)
    }

    /** The first {@code count} images (B, 1, H, W) of an IDX image file, pixels v/255. */
    static Tensor firstImages(Path file, int count) throws IOException {
        if (count <= 0) throw new IllegalArgumentException("--count " + count + " must be positive");
        Tensor x = Idx.readImages(file); // (N, 1, rows, cols)
        return x.slice(0, 0, Math.min(count, x.dim(0)));
    }

    /**
     * The report of member {@code member} of a P2 ViT run's checkpoint ({@link VitMeasurement#member}), on the first
     * {@code count} images of the IDX file {@code images} when not null.
     */
    static Report ofVitRun(Path dir, int member, Path images, int count, Options o) throws IOException {
        if (o.census() && images == null) throw new IllegalArgumentException("--census needs --images");
        VitTraining.Config c = BoolfnCommand.JSON.readValue(dir.resolve("config.json").toFile(), VitTraining.Config.class);
        int members = c.seeds().length;
        if (member < 0 || member >= members) {
            throw new IllegalArgumentException(dir + " holds " + members + " members (0 … " + (members - 1) + "), not --member " + member);
        }
        Path file = dir.resolve("ckpt/model.safetensors");
        Map<String, Tensor> ckpt = TensorFile.load(file).tensors();
        Tensor bias = ckpt.get("classifier.bias"); // (E, classes), or (classes) for one member
        if (bias == null) throw new FormatException(file, "no classifier.bias: not a VitClassifier checkpoint");
        int classes = bias.dim(-1);
        VitClassifier ensemble = new VitClassifier(c.model(), c.variant(), classes, Init.forLoading(DType.F32, members));
        ensemble.load(ckpt);
        VitClassifier m = VitMeasurement.member(ensemble, c.model(), classes, member);
        Tensor x = images == null ? null : images(images, count, c.model());
        String architecture = "vit-" + c.variant().name().toLowerCase(java.util.Locale.ROOT);
        return report(dir.toString(), architecture, member, m, x == null ? null
                : () -> new Run(m.vit().hiddenStates(PretrainedModel.Input.pixels(x)), null), o); // hook names from the classifier, as the maps'
    }

    /** The report of a P1 run's latest checkpoint, on {@value #P1_INPUTS} random bit strings of its length. */
    static Report ofRun(Path dir, Options o) throws IOException {
        RunMeasurements.LoadedRun run = RunMeasurements.LoadedRun.load(dir);
        if (!(run.model() instanceof P1Transformer p1)) {
            return report(dir.toString(), "p1-scratchpad", null, run.model(), null, o); // weights only: its inputs need decoding
        }
        int n = run.config().n();
        Tensor bits = Tensor.randint(new Rng(run.config().seed()), 2, P1_INPUTS, n);
        Supplier<Run> forward = () -> {
            try (Hooks.Capture c = p1.hooks().capture("encoders.layers.*.hook_resid_post");
                 Hooks.Capture in = p1.hooks().capture("encoders.layers.0.self_attn.hook_in")) {
                p1.forward(bits);
                List<Tensor> states = new ArrayList<>(List.of(in.last("encoders.layers.0.self_attn.hook_in")));
                for (int l = 0; l < p1.encoder().layers().size(); l++) states.add(c.last("encoders.layers." + l + ".hook_resid_post"));
                return new Run(states, null);
            }
        };
        return report(dir.toString(), "p1", null, p1, forward, o);
    }

    private static Report report(String name, String architecture, Integer member, Module module, Supplier<Run> forward, Options o) {
        List<String> flipped = null;
        if (o.flipLn() != null) flipped = List.copyOf(LayerNormSign.flip(module, ValueOutputMaps.of(module, false), o.flipLn(), o.flipSeed()));
        List<ValueOutput> maps = ValueOutputMaps.of(module, o.foldLn() || o.flipLn() != null);
        List<LayerSpectrum> spectra = LayerSpectrum.of(maps);

        Run run = null;
        Map<String, List<Tensor>> patterns = Map.of();
        if (forward != null) {
            try (var noTape = GradMode.off(); Hooks.Capture c = module.hooks().capture("**.hook_pattern")) {
                run = forward.get();
                patterns = c.values();
            }
        }
        List<Census.Layer> census = null;
        if (o.census()) {
            if (run == null) throw new IllegalArgumentException("--census needs inputs: " + architecture + " models are measured on weights only");
            Map<String, List<Tensor>> p = patterns;
            census = Census.of(maps, point -> p.containsKey(point) ? p.get(point).getLast() : null, run.mask(), Dominance.TOLERANCE);
        }
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < spectra.size(); l++) {
            LayerSpectrum s = spectra.get(l);
            layers.add(new Layer(l, s.attention(), s.norm(), s.heads(), s.maxAbsEigMean(), s.traceMean(), s.asymmetryMean(),
                    s.negativeFraction(), s.sumMaxAbsEig(), s.sumAsymmetry(), census == null ? null : Counts.of(census.get(l).counts())));
        }
        List<State> states = null;
        if (run != null) {
            states = new ArrayList<>();
            for (int i = 0; i < run.states().size(); i++) {
                Smoothing s = Smoothing.of(run.states().get(i), run.mask());
                states.add(new State(i, s.cosine(), s.hfcLfc(), s.rankOneDistance()));
            }
        }
        return new Report(name, architecture, member, o.foldLn() || o.flipLn() != null, o.flipLn(), flipped,
                run == null ? null : run.states().get(0).dim(0), layers, states, census == null ? null : Counts.of(Census.total(census)));
    }

    static void print(Report r) {
        System.out.printf("%s: %s%s, %d attention layers%s%s%n", r.model(), r.architecture(), r.member() == null ? "" : " member " + r.member(),
                r.layers().size(),
                r.foldLn() ? ", γ folded into H" : "", r.flipLn() == null ? "" : String.format(", %.0f%% of γ signs flipped", 100 * r.flipLn()));
        System.out.printf("%n%-5s %-36s %5s %10s %9s %7s %6s %10s %7s", "layer", "attention", "heads", "max|λ(H)|", "tr H", "asym", "Re<0",
                "max|λ(ΣH)|", "asym ΣH");
        if (r.census() != null) System.out.printf(" %8s %8s %8s", "smooth%", "sharp%", "tied%");
        System.out.println();
        for (Layer l : r.layers()) {
            System.out.printf("%-5d %-36s %5d %10.4f %9.4f %7.4f %6.3f %10.4f %7.4f", l.layer(), l.attention(), l.heads(), l.ovMaxAbsEigMean(),
                    l.ovTraceMean(), l.ovAsymmetryMean(), l.ovNegativeFraction(), l.ovSumMaxAbsEig(), l.ovSumAsymmetry());
            if (l.census() != null) System.out.printf(" %8.1f %8.1f %8.1f", l.census().smoothingPct(), l.census().sharpeningPct(), l.census().tiedPct());
            System.out.println();
        }
        if (r.census() != null) {
            Counts c = r.census();
            System.out.printf("%ncensus over %d (layer, head, input) cases: smoothing %.1f%%, sharpening %.1f%%, tied %.1f%%%n",
                    c.smoothing() + c.sharpening() + c.tied(), c.smoothingPct(), c.sharpeningPct(), c.tiedPct());
        }
        if (r.hiddenStates() == null) return;
        System.out.printf("%n%-30s %10s %10s %12s%n", "hidden state (0 = embeddings)", "cosine", "HFC/LFC", "rank-1 dist");
        for (State s : r.hiddenStates()) System.out.printf("%-30d %10.4f %10.4f %12.4f%n", s.state(), s.cosine(), s.hfcLfc(), s.rankOneDistance());
    }
}
