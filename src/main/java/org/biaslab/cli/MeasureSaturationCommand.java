package org.biaslab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.biaslab.data.Batch;
import org.biaslab.data.Sampler;
import org.biaslab.data.Tokenizer;
import org.biaslab.tensor.Device;
import org.biaslab.nn.lm.LanguageModel;
import org.biaslab.experiment.p3.NormGrowth;
import org.biaslab.experiment.p3.LmTraining;
import org.biaslab.experiment.p3.LmRunConfig;
import org.biaslab.data.TextBatch;
import org.biaslab.experiment.p1.RunMeasurements;
import org.biaslab.nn.Init;
import org.biaslab.nn.Models;
import org.biaslab.nn.Module;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.probe.P1Objective;
import org.biaslab.probe.saturation.HeadStatistics;
import org.biaslab.probe.saturation.Histogram;
import org.biaslab.probe.saturation.RepresentationSimilarity;
import org.biaslab.tensor.Tensor;
import org.biaslab.train.RunConfig;
import org.biaslab.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code biaslab measure saturation}: P3's similarity of each layer's representations to the saturated model (all
 * parameters × c) and the attention-head statistics of the saturated model (docs/p3.md).
 */
@Command(name = "saturation", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Similarity of each layer to the saturated model (every parameter x c) and the saturated heads' statistics "
                + "(positions attended, split probability, local/global), for a P1 run or a pretrained model (docs/p3.md)."})
final class MeasureSaturationCommand implements Callable<Integer> {
    /** JSON with snake_case field names at every level (the probes' records are camelCase Java). */
    static final ObjectMapper SNAKE_JSON = BoolfnCommand.JSON.copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    @Parameters(index = "0", paramLabel = "RUN_DIR|MODEL",
            description = "a run directory written by 'biaslab train' or 'biaslab lm train' (or P3's LM runs), or a model as 'analyse' takes it (.onnx, HF directory, all-minilm-l6-v2, …)")
    String target;

    @Option(names = "--c", defaultValue = "1000", description = "the saturation scale c. Default: ${DEFAULT-VALUE}.")
    double c;

    @Option(names = "--text", paramLabel = "FILE", description = "texts for a MODEL (required) or an LM run (default: its dev sequences), one per non-blank line")
    Path text;

    @Option(names = "--tokenizer", paramLabel = "JSON", description = "the tokenizer.json (default: next to the model)")
    Path tokenizer;

    @Option(names = "--random-init", paramLabel = "SEED", description = "measure a freshly initialised twin (HF's scheme for a MODEL, the trainer's for a run) drawn from SEED")
    Long randomSeed;

    @Option(names = "--batch", defaultValue = "64", description = "inputs of the run's task for a P1 RUN_DIR (measurement stream), or an LM run's first dev sequences. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--seed", paramLabel = "S", description = "an LM run's ensemble member, by its seed (default: its first)")
    Long seed;

    @Option(names = "--bins", defaultValue = "10", description = "histogram bins. Default: ${DEFAULT-VALUE}.")
    int bins;

    @Option(names = "--json", description = "print JSON instead of tables")
    boolean json;

    /** What the command reports. */
    record Report(String target, String model, Long randomInitSeed, double c, int sequences, int tokens, List<Layer> layers,
                  List<HeadStatistics.Head> heads, long localHeads, long globalHeads, Map<String, Histogram> histograms) {}

    /** A layer's mean cosine cos(h(θ), h(cθ)) over real tokens, and its baseline: the mean cosine between distinct tokens at θ. */
    record Layer(String layer, double similarity, double anisotropy) {}

    @Override
    public Integer call() throws IOException {
        if (bins < 1) throw new IllegalArgumentException("--bins must be >= 1, got " + bins);
        if (!(c > 0) || Double.isInfinite(c)) throw new IllegalArgumentException("--c must be positive and finite, got " + c);
        Path config = Path.of(target).resolve("config.json");
        Report r = !Files.isRegularFile(config) ? pretrained() : BoolfnCommand.JSON.readTree(config.toFile()).has("variant") ? lmRun() : run();
        if (seed != null && !r.model().startsWith("lm ")) throw new IllegalArgumentException("--seed picks an LM run's member; " + target + " is not an LM run");
        if (json) System.out.println(SNAKE_JSON.writeValueAsString(r));
        else print(r);
        return 0;
    }

    /** A P1 run: fresh inputs of its task (the measurement stream of its seed), no padding, no causal mask. */
    private Report run() throws IOException {
        if (text != null) throw new IllegalArgumentException("--text is for a MODEL; a run is measured on its own task");
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        RunMeasurements.LoadedRun run = RunMeasurements.LoadedRun.load(Path.of(target));
        RunConfig config = run.config();
        if (config.scratchpad()) throw new IllegalArgumentException(target + ": a scratchpad run; saturation measures encoder runs");
        Module model = randomSeed == null ? run.model() : Trainer.model(config, Init.f32(randomSeed));
        Batch b = Sampler.uniform(List.of(run.task()), new long[] {config.seed()}, batch).next(0, RunMeasurements.STREAM);
        Runnable forward = () -> P1Objective.predict(model, b);
        List<Layer> layers = new ArrayList<>();
        RepresentationSimilarity.ofResiduals(model, forward, null, c).forEach((name, v) -> layers.add(new Layer(name, v.similarity(), v.anisotropy())));
        List<HeadStatistics.Head> heads = HeadStatistics.saturated(model, forward, c, null, point -> false);
        return report("p1 (" + config.task() + ", n = " + config.n() + ", step " + run.step() + ")", batch, batch * config.n(), layers, heads);
    }

    /**
     * A P3 language-model run (lm train, reproduce p3) at its latest checkpoint: member --seed on its first --batch dev
     * sequences (or the lines of --text, in its vocabulary), padding masked, causal masks.
     */
    private Report lmRun() throws IOException {
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (tokenizer != null) throw new IllegalArgumentException("--tokenizer is for a MODEL; an LM run reads --text with its own vocabulary");
        LmTraining.Loaded run = LmTraining.load(Path.of(target));
        LmRunConfig config = run.config();
        int member = seed == null ? 0 : config.seeds().indexOf(seed);
        if (member < 0) throw new IllegalArgumentException("--seed " + seed + ": " + target + " trained seeds " + config.seeds());
        List<int[]> sequences;
        if (text == null) {
            sequences = run.data().dev().subList(0, Math.min(batch, run.data().dev().size()));
        } else {
            sequences = Files.readAllLines(text).stream().filter(l -> !l.isBlank()).map(run.data().vocab()::encode).toList();
            if (sequences.isEmpty()) throw new IllegalArgumentException(text + ": no text (every line is blank)");
        }
        TextBatch probe = TextBatch.pad(sequences, run.data().maxLen());
        LanguageModel model = randomSeed == null ? NormGrowth.member(run.model(), member, Device.CPU)
                : new LanguageModel(run.model().config(), Init.f32(randomSeed));
        Map<String, double[]> sat = NormGrowth.saturation(model, probe, c, Device.CPU);
        List<Layer> layers = new ArrayList<>();
        for (int l = 1; sat.containsKey("sat/layer_" + l); l++) {
            layers.add(new Layer(Integer.toString(l), sat.get("sat/layer_" + l)[0], sat.get("aniso/layer_" + l)[0]));
        }
        int tokens = 0;
        for (int v : probe.inputMask().toIntArray()) tokens += v;
        return report("lm " + config.variant() + (config.zeroMask() ? NormGrowth.ZERO_MASK : "") + ", " + model.layers() + " layers"
                + (randomSeed == null ? ", seed " + config.seeds().get(member) + ", step " + run.step() : ""), sequences.size(), tokens, layers,
                NormGrowth.heads(model, probe, c, Device.CPU));
    }

    /** A pretrained model on the texts of --text. */
    private Report pretrained() throws IOException {
        if (text == null) throw new IllegalArgumentException(target + ": a MODEL needs --text FILE (texts, one per line)");
        List<String> texts = Files.readAllLines(text).stream().filter(l -> !l.isBlank()).toList();
        if (texts.isEmpty()) throw new IllegalArgumentException(text + ": no text (every line is blank)");
        Models.Loaded loaded = Models.load(target);
        PretrainedModel m = randomSeed == null ? loaded.model() : loaded.model().randomInit(randomSeed);
        Path json = tokenizer != null ? tokenizer : loaded.tokenizer();
        if (json == null) throw new IllegalArgumentException(target + ": no tokenizer.json next to the model; pass --tokenizer");
        Tokenizer.Encoded enc;
        try (Tokenizer tok = Tokenizer.open(json, 512)) {
            enc = tok.encode(texts);
        }
        // an encoder–decoder reads the text on both sides, as P3 does for T5
        Tensor decoderIds = m.architecture().equals("t5") ? enc.inputIds() : null;
        PretrainedModel.Input input = new PretrainedModel.Input(enc.inputIds(), enc.attentionMask(), enc.tokenTypeIds(), null, decoderIds);
        List<RepresentationSimilarity.Layer> sim = RepresentationSimilarity.of(m, input, c);
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < sim.size(); l++) layers.add(new Layer(Integer.toString(l), sim.get(l).similarity(), sim.get(l).anisotropy()));
        List<HeadStatistics.Head> heads = HeadStatistics.saturated(m.module(), () -> m.hiddenStates(input), c, enc.attentionMask(),
                causal(m.architecture()));
        int tokens = 0;
        for (int v : enc.attentionMask().toIntArray()) tokens += v;
        return report(m.architecture() + ", " + m.layers() + " layers", texts.size(), tokens, layers, heads);
    }

    /** The attention points whose queries see only earlier keys: GPT-2's, and the T5 decoder's self-attention. */
    static Predicate<String> causal(String architecture) {
        return switch (architecture) {
            case "gpt2" -> point -> true;
            case "t5" -> point -> point.startsWith("decoder.") && point.contains(".SelfAttention.");
            default -> point -> false;
        };
    }

    private Report report(String model, int sequences, int tokens, List<Layer> layers, List<HeadStatistics.Head> heads) {
        long local = heads.stream().filter(h -> h.kind() == HeadStatistics.Kind.LOCAL).count();
        Map<String, Histogram> histograms = new LinkedHashMap<>();
        histograms.put("positions", Histogram.of(heads.stream().mapToDouble(HeadStatistics.Head::meanPositions).toArray(), bins));
        histograms.put("split_probability", Histogram.of(heads.stream().mapToDouble(HeadStatistics.Head::splitProbability).toArray(), bins));
        histograms.put("std_positions", Histogram.of(heads.stream().mapToDouble(HeadStatistics.Head::stdPositions).toArray(), bins));
        return new Report(target, model, randomSeed, c, sequences, tokens, layers, heads, local, heads.size() - local, histograms);
    }

    private static void print(Report r) {
        System.out.printf("%s: %s%s, %d sequences (%d tokens), c = %s%n", r.target(), r.model(),
                r.randomInitSeed() == null ? "" : ", random init seed " + r.randomInitSeed(), r.sequences(), r.tokens(), BoolfnCommand.number(r.c()));
        System.out.printf("%n%-40s %12s %12s%n", "layer (similarity to saturated)", "cos", "aniso");
        for (Layer l : r.layers()) System.out.printf("%-40s %12.4f %12.4f%n", l.layer(), l.similarity(), l.anisotropy());
        System.out.printf("%nsaturated heads: %d local (argmax-like), %d global (averaging)%n", r.localHeads(), r.globalHeads());
        System.out.printf("%-48s %4s %10s %8s %8s %9s  %s%n", "attention", "head", "positions", "split", "std", "averaging", "kind");
        for (HeadStatistics.Head h : r.heads()) {
            System.out.printf("%-48s %4d %10.3f %8.3f %8.3f %9.3f  %s%n", h.point().replaceFirst("\\.hook_pattern$", ""), h.head(),
                    h.meanPositions(), h.splitProbability(), h.stdPositions(), h.averaging(), h.kind().name().toLowerCase());
        }
        for (String name : List.of("positions", "split_probability", "std_positions")) {
            Histogram h = r.histograms().get(name);
            System.out.printf("%nhistogram of %s over heads%n", name.replace('_', ' '));
            for (int i = 0; i < h.counts().length; i++) {
                double lo = i == 0 ? h.min() : h.upper()[i - 1];
                System.out.printf("  [%9.3f, %9.3f]  %4d  %s%n", lo, h.upper()[i], h.counts()[i], "#".repeat((int) Math.min(60, h.counts()[i])));
            }
        }
    }
}
