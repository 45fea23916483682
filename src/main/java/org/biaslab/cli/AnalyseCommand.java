package org.biaslab.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.biaslab.data.Tokenizer;
import org.biaslab.data.VitImageProcessor;
import org.biaslab.io.TensorFile;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Models;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.vit.Vit;
import org.biaslab.probe.norm.ParameterNorms;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code biaslab analyse MODEL}: a pretrained model's architecture, parameter count and parameter norm by layer; with
 * text, the norm of its hidden states by layer, and with {@code --dump} every hidden state and attention pattern as
 * safetensors. Docs: docs/models.md. With {@code --spectra}, P2's spectra instead ({@link SpectraReport}, docs/p2.md), on
 * texts, or on IDX images for a ViT.
 */
@Command(name = "analyse", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Architecture, parameter count and norms by layer of a pretrained model; with text, hidden-state norms by layer, "
                + "and with --dump the hidden states and attention probabilities as safetensors (docs/models.md)."})
final class AnalyseCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL",
            description = "an .onnx file (BERT family), a HuggingFace checkpoint directory (config.json + safetensors), a TensorFlow BERT checkpoint (.index or directory), or all-minilm-l6-v2, bge-small-en-v15, e5-small-v2, bert-base-uncased-tf from ~/.m2")
    String model;

    @Option(names = "--text", description = "a text to run through the model")
    String text;

    @Option(names = "--file", paramLabel = "F", description = "texts to run, one per non-blank line")
    Path file;

    @Option(names = "--images", paramLabel = "IDX", description = "with --spectra: images to run through a ViT, an IDX image file (plain or gzipped); "
            + "resized and normalised as HuggingFace's ViTImageProcessor for a checkpoint, taken as they are by a P2 run")
    Path images;

    @Option(names = "--count", paramLabel = "N", defaultValue = "16", description = "with --images: the first N images (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--member", paramLabel = "E", description = "with --spectra on a P2 ViT run directory: which member of its ensemble (default 0)")
    Integer member;

    @Option(names = "--tokenizer", paramLabel = "JSON", description = "the tokenizer.json (default: next to the model)")
    Path tokenizer;

    @Option(names = "--random-init", paramLabel = "SEED", description = "analyse a copy with HuggingFace's random initialisation drawn from SEED instead")
    Long randomSeed;

    @Option(names = "--dump", paramLabel = "DIR", description = "write DIR/activations.safetensors: hidden.0..L (B, T, d), attention.0.. (B, H, T, T), input_ids, attention_mask")
    Path dump;

    @Option(names = "--json", description = "print JSON instead of tables")
    boolean json;

    @Option(names = "--spectra", description = "P2's spectra of H = W_V W_O by layer (MODEL may also be a P1 or P2 ViT run directory); with text "
            + "or images, the smoothing metrics of every hidden state (docs/p2.md)")
    boolean spectra;

    @Option(names = "--census", description = "with --spectra: the census of dominating eigenvalues of I + Hᵀ⊗A over layers, heads and inputs")
    boolean census;

    @Option(names = "--fold-ln", description = "with --spectra: fold the γ of the norm feeding each attention into H, diag(γ) H")
    boolean foldLn;

    @Option(names = "--flip-ln", paramLabel = "FRACTION", description = "with --spectra: first flip the sign of this fraction of the γ entries "
            + "of those norms (1 = all); implies --fold-ln")
    Double flipLn;

    @Option(names = "--flip-seed", paramLabel = "SEED", defaultValue = "0", description = "which γ entries --flip-ln picks (default ${DEFAULT-VALUE})")
    long flipSeed;

    @picocli.CommandLine.Mixin
    FillMask fillMask;

    /** What analyse reports; JSON field names in snake_case. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Report(String model, String architecture, int layers, long parameters, Long randomInitSeed,
                  List<GroupNorm> parameterNorms, List<StateNorm> hiddenStates) {}

    /** ‖θ‖₂ of a group of parameters (a layer, or a module outside the layers). */
    record GroupNorm(String group, long parameters, double norm) {}

    /** Mean ‖h‖ over the real tokens of hidden state {@code state} (0 = embedding output). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record StateNorm(int state, double meanNorm) {}

    @Override
    public Integer call() throws IOException {
        if (text != null && file != null) throw new IllegalArgumentException("give --text or --file, not both");
        List<String> texts = text != null ? List.of(text) : file != null ? lines(file) : List.of();
        if (dump != null && texts.isEmpty()) throw new IllegalArgumentException("--dump needs --text or --file");
        if (images != null && !texts.isEmpty()) throw new IllegalArgumentException("give --text/--file or --images, not both");
        if ((images != null || member != null) && !spectra) throw new IllegalArgumentException("--images and --member need --spectra");
        if (spectra) {
            SpectraReport.Report r = spectraReport(texts);
            if (json) System.out.println(BoolfnCommand.JSON.writeValueAsString(r));
            else SpectraReport.print(r);
            return 0;
        }

        Models.Loaded loaded = Models.load(model);
        PretrainedModel m = randomSeed == null ? loaded.model() : loaded.model().randomInit(randomSeed);
        if (fillMask.requested()) return fillMask.run(model, m, tokenizer != null ? tokenizer : loaded.tokenizer(), json);
        Report r = new Report(model, m.architecture(), m.layers(), m.module().parameterCount(), randomSeed, parameterNorms(m),
                texts.isEmpty() ? null : run(m, loaded, texts));
        if (json) System.out.println(BoolfnCommand.JSON.writeValueAsString(r));
        else print(r);
        return 0;
    }

    private SpectraReport.Report spectraReport(List<String> texts) throws IOException {
        var o = new SpectraReport.Options(census, foldLn, flipLn, flipSeed);
        if (SpectraReport.isRunDirectory(model)) {
            if (!texts.isEmpty() || images != null || randomSeed != null || member != null) {
                throw new IllegalArgumentException(model + " is a P1 run: it reads bit strings, not --text, --file, --images, --member or --random-init");
            }
            return SpectraReport.ofRun(Path.of(model), o);
        }
        if (SpectraReport.isVitRunDirectory(model)) {
            if (!texts.isEmpty() || randomSeed != null) throw new IllegalArgumentException(model + " is a P2 ViT run: it reads --images, not --text, --file or --random-init");
            return SpectraReport.ofVitRun(Path.of(model), member == null ? 0 : member, images, count, o);
        }
        if (member != null) throw new IllegalArgumentException("--member needs a P2 ViT run directory; " + model + " is not one");
        Models.Loaded loaded = Models.load(model);
        PretrainedModel m = randomSeed == null ? loaded.model() : loaded.model().randomInit(randomSeed);
        if (images != null) {
            if (!(m instanceof Vit vit)) throw new IllegalArgumentException(model + " is a " + m.architecture() + " model: it reads text, not --images");
            Tensor x = processor(vit).apply(SpectraReport.firstImages(images, count)); // (B, C, image_size, image_size)
            return SpectraReport.of(model, m, PretrainedModel.Input.pixels(x), o);
        }
        return SpectraReport.of(model, m, texts.isEmpty() ? null : input(m, encode(loaded, texts)), o);
    }

    /** HuggingFace's ViTImageProcessor for the checkpoint directory MODEL (docs/vit.md). */
    private VitImageProcessor processor(Vit vit) throws IOException {
        return VitImageProcessor.ofCheckpoint(Path.of(model), vit.config().imageSize(), vit.config().numChannels());
    }

    private static List<String> lines(Path f) throws IOException {
        List<String> texts = Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
        if (texts.isEmpty()) throw new IllegalArgumentException(f + ": no text (every line is blank)");
        return texts;
    }

    /** ‖θ‖₂ of each layer's parameters: names grouped up to their layer index ("encoder.layer.3"), others by module. */
    private static List<GroupNorm> parameterNorms(PretrainedModel m) {
        Map<String, double[]> groups = new LinkedHashMap<>(); // group -> {count, sum of squares}
        m.module().namedParameters().forEach((name, p) -> {
            double[] g = groups.computeIfAbsent(ParameterNorms.layer(name), k -> new double[2]);
            for (double v : p.toDoubleArray()) g[1] += v * v;
            g[0] += p.size();
        });
        List<GroupNorm> rows = new ArrayList<>();
        groups.forEach((name, g) -> rows.add(new GroupNorm(name, (long) g[0], Math.sqrt(g[1]))));
        return rows;
    }

    /** Runs the texts; mean ‖h‖ over real tokens per hidden state, and the dump. */
    private List<StateNorm> run(PretrainedModel m, Models.Loaded loaded, List<String> texts) throws IOException {
        Tokenizer.Encoded enc = encode(loaded, texts);
        List<Tensor> states;
        Map<String, Tensor> patterns = new LinkedHashMap<>();
        try (var noTape = GradMode.off(); Hooks.Capture c = m.module().hooks().capture("**.hook_pattern")) {
            states = m.hiddenStates(input(m, enc));
            c.values().forEach((name, v) -> patterns.put(name, v.getLast()));
        }
        if (dump != null) dump(enc, states, patterns, texts);

        int[] mask = enc.attentionMask().toIntArray();
        List<StateNorm> rows = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            Tensor h = states.get(i);                                    // (B, T, d)
            double[] norms = h.mul(h).sum(false, -1).sqrt().toDoubleArray(); // (B, T)
            double sum = 0;
            int n = 0;
            for (int k = 0; k < norms.length; k++) if (mask[k] != 0) { sum += norms[k]; n++; }
            rows.add(new StateNorm(i, sum / n));
        }
        return rows;
    }

    private Tokenizer.Encoded encode(Models.Loaded loaded, List<String> texts) throws IOException {
        Path json = tokenizer != null ? tokenizer : loaded.tokenizer();
        if (json == null) throw new IllegalArgumentException(model + ": no tokenizer.json next to the model; pass --tokenizer");
        try (Tokenizer tok = Tokenizer.open(json, 512)) {
            return tok.encode(texts);
        }
    }

    /** The model's input for encoded texts: an encoder–decoder reads the text on both sides (as P3 does). */
    private static PretrainedModel.Input input(PretrainedModel m, Tokenizer.Encoded enc) {
        Tensor decoderIds = m.architecture().equals("t5") ? enc.inputIds() : null; // encoder-only models ignore decoder ids
        return new PretrainedModel.Input(enc.inputIds(), enc.attentionMask(), enc.tokenTypeIds(), null, decoderIds);
    }

    private void dump(Tokenizer.Encoded enc, List<Tensor> states, Map<String, Tensor> patterns, List<String> texts) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        tensors.put("input_ids", enc.inputIds());
        tensors.put("attention_mask", enc.attentionMask());
        for (int i = 0; i < states.size(); i++) tensors.put("hidden." + i, states.get(i));
        int k = 0;
        for (var e : patterns.entrySet()) {
            tensors.put("attention." + k, e.getValue());
            meta.put("attention." + k++, e.getKey()); // the hook point it came from
        }
        meta.put("model", model);
        meta.put("texts", BoolfnCommand.JSON.writeValueAsString(texts));
        Files.createDirectories(dump);
        TensorFile.save(dump.resolve("activations.safetensors"), tensors, meta);
    }

    private void print(Report r) {
        System.out.printf("%s: %s, %d layers, %,d parameters%s%n", model, r.architecture(), r.layers(), r.parameters(),
                randomSeed == null ? "" : " (random init, seed " + randomSeed + ")");
        System.out.printf("%n%-40s %12s %12s%n", "parameters by layer", "count", "norm");
        for (GroupNorm g : r.parameterNorms()) System.out.printf("%-40s %,12d %12.4f%n", g.group(), g.parameters(), g.norm());
        if (r.hiddenStates() == null) return;
        System.out.printf("%n%-40s %12s%n", "hidden state (0 = embeddings)", "mean ‖h‖");
        for (StateNorm h : r.hiddenStates()) System.out.printf("%-40d %12.4f%n", h.state(), h.meanNorm());
        if (dump != null) System.out.println("\nwrote " + dump.resolve("activations.safetensors"));
    }
}
