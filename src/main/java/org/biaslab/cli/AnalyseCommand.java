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
import org.biaslab.data.Images;
import org.biaslab.data.Tokenizer;
import org.biaslab.data.VitImageProcessor;
import org.biaslab.io.Json;
import org.biaslab.io.TensorFile;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Models;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.vit.Vit;
import org.biaslab.probe.interpret.ActivationCache;
import org.biaslab.probe.interpret.AttentionSummary;
import org.biaslab.probe.interpret.TokenInputs;
import org.biaslab.probe.interpret.WeightStatistics;
import org.biaslab.probe.norm.ParameterNorms;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code biaslab analyse MODEL}: a pretrained model's architecture, parameter count and parameter norm by layer; with
 * an input (text, token ids, an image), the norm of its hidden states by layer, and with {@code --dump} every hidden
 * state and attention pattern, or the hook points of {@code --points}, as safetensors; {@code --stats},
 * {@code --logit-lens} and {@code --patch} ({@link Interpret}) from {@code probe.interpret}. Docs: docs/models.md. With {@code --spectra}, P2's spectra instead ({@link SpectraReport}, docs/p2.md), on
 * texts, or on IDX images for a ViT.
 */
@Command(name = "analyse", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Architecture, parameter count and norms by layer of a pretrained model; with an input, hidden-state norms by layer, "
                + "and with --dump the hidden states and attention probabilities (or any hook points) as safetensors; weight and attention "
                + "statistics, the logit lens and activation patching (docs/models.md)."})
final class AnalyseCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL",
            description = "an .onnx file (BERT family), a HuggingFace checkpoint directory (config.json + safetensors), a TensorFlow BERT checkpoint (.index or directory), or all-minilm-l6-v2, bge-small-en-v15, e5-small-v2, bert-base-uncased-tf from ~/.m2")
    String model;

    @Option(names = "--text", description = "a text to run through the model")
    String text;

    @Option(names = {"--texts", "--file"}, paramLabel = "F", description = "texts to run as one batch padded to the longest, one per non-blank line")
    Path file;

    @Option(names = "--ids", paramLabel = "ID,ID,…", description = "token ids to run (repeat for a batch, padded to the longest)")
    List<String> ids;

    @Option(names = "--token-types", paramLabel = "T,T,…", description = "with --ids: a token type per id (one per --ids; default 0)")
    List<String> tokenTypes;

    @Option(names = "--decoder-ids", paramLabel = "ID,ID,…", description = "T5: the decoder's input ids (default: the input ids)")
    String decoderIds;

    @Option(names = "--image", paramLabel = "FILE.png|IDX[:I]", description = "an image to run through a ViT checkpoint: a PNG, or image I (default 0) of an IDX file; "
            + "resized and normalised as HuggingFace's ViTImageProcessor")
    String image;

    @Option(names = "--points", paramLabel = "GLOB", description = "with --dump: write the tensors of the hook points matching GLOB instead (docs/hooks.md), e.g. '**.hook_resid_post'")
    String points;

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

    @Option(names = "--dump", paramLabel = "DIR", description = "write DIR/activations.safetensors: hidden.0..L (B, T, d), attention.0.. (B, H, T, T), input_ids, attention_mask; "
            + "with --points, those points by name")
    Path dump;

    @Option(names = "--stats", description = "norms of W_Q, W_K, W_V, W_O per head and W_in, W_out per block; with an input, where each head attends "
            + "(mass on the first, last, same and previous token; entropy)")
    boolean stats;

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

    @picocli.CommandLine.Mixin
    Interpret interpret;

    /** What analyse reports; JSON field names in snake_case. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Report(String model, String architecture, int layers, long parameters, Long randomInitSeed,
                  List<GroupNorm> parameterNorms, List<StateNorm> hiddenStates, WeightStatistics.Report weights,
                  List<AttentionSummary.Head> attention, Interpret.Lens logitLens, Interpret.Patch patch) {}

    /** ‖θ‖₂ of a group of parameters (a layer, or a module outside the layers). */
    record GroupNorm(String group, long parameters, double norm) {}

    /** Mean ‖h‖ over the real tokens of hidden state {@code state} (0 = embedding output). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record StateNorm(int state, double meanNorm) {}

    /** What a forward pass reads: the model's input, the token strings per sequence and the texts (null where none). */
    private record Run(PretrainedModel.Input input, List<List<String>> tokens, List<String> texts) {}

    @Override
    public Integer call() throws IOException {
        if (text != null && file != null) throw new IllegalArgumentException("give --text or --file, not both");
        List<String> texts = text != null ? List.of(text) : file != null ? lines(file) : List.of();
        long sources = (texts.isEmpty() ? 0 : 1) + (ids == null ? 0 : 1) + (image == null ? 0 : 1) + (images == null ? 0 : 1);
        if (sources > 1) throw new IllegalArgumentException("give one input: --text/--file, --ids, --image or --images");
        if (tokenTypes != null && ids == null) throw new IllegalArgumentException("--token-types needs --ids");
        if (points != null && dump == null) throw new IllegalArgumentException("--points needs --dump");
        if (dump != null && sources == 0) throw new IllegalArgumentException("--dump needs an input: --text, --file, --ids or --image");
        if ((images != null || member != null) && !spectra) throw new IllegalArgumentException("--images and --member need --spectra");
        if (spectra) {
            if (ids != null || image != null) throw new IllegalArgumentException("--spectra reads --text, --file or --images, not --ids or --image");
            SpectraReport.Report r = spectraReport(texts);
            if (json) System.out.println(BoolfnCommand.JSON.writeValueAsString(r));
            else SpectraReport.print(r);
            return 0;
        }

        Models.Loaded loaded = Models.load(model);
        PretrainedModel m = randomSeed == null ? loaded.model() : loaded.model().randomInit(randomSeed);
        if (fillMask.requested()) return fillMask.run(model, m, tokenizer != null ? tokenizer : loaded.tokenizer(), json);
        interpret.check(sources > 0);
        Run in = sources == 0 ? null : prepare(m, loaded, texts);
        Path tokenizerJson = tokenizer != null ? tokenizer : loaded.tokenizer();
        Report r = new Report(model, m.architecture(), m.layers(), m.module().parameterCount(), randomSeed, parameterNorms(m),
                in == null ? null : run(m, in), stats ? WeightStatistics.of(m.module()) : null,
                stats && in != null ? AttentionSummary.of(m, in.input()) : null,
                interpret.logitLens ? interpret.lens(m, in.input(), in.tokens(), tokenizerJson) : null,
                interpret.patch != null ? interpret.patch(m, tokenizerJson, model) : null);
        if (json) System.out.println(BoolfnCommand.JSON.writeValueAsString(r));
        else print(r);
        return 0;
    }

    /** The input named by --text/--file, --ids or --image. */
    private Run prepare(PretrainedModel m, Models.Loaded loaded, List<String> texts) throws IOException {
        if (image != null) {
            if (!(m instanceof Vit vit)) throw new IllegalArgumentException(model + " is a " + m.architecture() + " model: it reads text, not --image");
            return new Run(PretrainedModel.Input.pixels(processor(vit).apply(Images.read(image))), null, null);
        }
        int[] decoder = decoderIds == null ? null : parseIds("--decoder-ids", decoderIds);
        if (ids != null) {
            List<int[]> seqs = ids.stream().map(s -> parseIds("--ids", s)).toList();
            List<int[]> types = tokenTypes == null ? null : tokenTypes.stream().map(s -> parseIds("--token-types", s)).toList();
            PretrainedModel.Input input = TokenInputs.of(m, seqs, types, decoder);
            return new Run(input, tokenStrings(loaded, seqs), null);
        }
        Tokenizer.Encoded enc = encode(loaded, texts);
        var input = new PretrainedModel.Input(enc.inputIds(), enc.attentionMask(), enc.tokenTypeIds(), null, TokenInputs.decoder(m, enc.inputIds(), decoder));
        return new Run(input, enc.tokens(), texts);
    }

    /** "101,2023,102" → ids; anything else is a one-line error naming the option. */
    private static int[] parseIds(String option, String list) {
        String[] parts = list.split(",", -1);
        int[] v = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + parts[i].strip() + "' is not an integer (give a comma-separated list such as 101,2023,102)");
            }
        }
        return v;
    }

    /** Each id's token string by the tokenizer when there is one, else the id itself. */
    private List<List<String>> tokenStrings(Models.Loaded loaded, List<int[]> seqs) throws IOException {
        Path json = tokenizer != null ? tokenizer : loaded.tokenizer();
        if (json == null) return seqs.stream().map(s -> java.util.Arrays.stream(s).mapToObj(Integer::toString).toList()).toList();
        try (Tokenizer tok = Tokenizer.open(json, 512)) {
            return seqs.stream().map(s -> java.util.Arrays.stream(s).mapToObj(tok::decode).toList()).toList();
        }
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

    /** Runs the input; mean ‖h‖ over real tokens per hidden state, and the dump. */
    private List<StateNorm> run(PretrainedModel m, Run in) throws IOException {
        List<Tensor> states;
        Map<String, Tensor> patterns = new LinkedHashMap<>();
        try (var noTape = GradMode.off(); Hooks.Capture c = m.module().hooks().capture("**.hook_pattern")) {
            states = m.hiddenStates(in.input());
            c.values().forEach((name, v) -> patterns.put(name, v.getLast()));
        }
        if (dump != null) dump(m, in, states, patterns);

        int[] mask = in.input().attentionMask() == null ? null : in.input().attentionMask().toIntArray();
        List<StateNorm> rows = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            Tensor h = states.get(i);                                    // (B, T, d)
            double[] norms = h.mul(h).sum(false, -1).sqrt().toDoubleArray(); // (B, T)
            double sum = 0;
            int n = 0;
            // the decoder's states of an encoder–decoder have no padding mask of their own: every position counts
            boolean masked = mask != null && mask.length == norms.length;
            for (int k = 0; k < norms.length; k++) if (!masked || mask[k] != 0) { sum += norms[k]; n++; }
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
        return new PretrainedModel.Input(enc.inputIds(), enc.attentionMask(), enc.tokenTypeIds(), null, TokenInputs.decoder(m, enc.inputIds(), null));
    }

    /**
     * DIR/activations.safetensors: the hidden states and attention patterns, or with --points the cache of those
     * points by name; the input tensors, and in the metadata the model, the point names, the tokens and the texts.
     */
    private void dump(PretrainedModel m, Run in, List<Tensor> states, Map<String, Tensor> patterns) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        PretrainedModel.Input input = in.input();
        if (input.inputIds() != null) tensors.put("input_ids", input.inputIds());
        if (input.attentionMask() != null) tensors.put("attention_mask", input.attentionMask());
        if (input.pixelValues() != null) tensors.put("pixel_values", input.pixelValues());
        if (input.decoderInputIds() != null && input.decoderInputIds() != input.inputIds()) tensors.put("decoder_input_ids", input.decoderInputIds());
        if (points != null) {
            Map<String, Tensor> cache = ActivationCache.run(m, input, points);
            tensors.putAll(cache);
            meta.put("points", Json.MAPPER.writeValueAsString(cache.keySet()));
        } else {
            for (int i = 0; i < states.size(); i++) tensors.put("hidden." + i, states.get(i));
            int k = 0;
            for (var e : patterns.entrySet()) {
                tensors.put("attention." + k, e.getValue());
                meta.put("attention." + k++, e.getKey()); // the hook point it came from
            }
        }
        meta.put("model", model);
        if (in.tokens() != null) meta.put("tokens", Json.MAPPER.writeValueAsString(in.tokens()));
        if (in.texts() != null) meta.put("texts", Json.MAPPER.writeValueAsString(in.texts()));
        Files.createDirectories(dump);
        TensorFile.save(dump.resolve("activations.safetensors"), tensors, meta);
    }

    private void print(Report r) {
        System.out.printf("%s: %s, %d layers, %,d parameters%s%n", model, r.architecture(), r.layers(), r.parameters(),
                randomSeed == null ? "" : " (random init, seed " + randomSeed + ")");
        System.out.printf("%n%-40s %12s %12s%n", "parameters by layer", "count", "norm");
        for (GroupNorm g : r.parameterNorms()) System.out.printf("%-40s %,12d %12.4f%n", g.group(), g.parameters(), g.norm());
        if (r.weights() != null) printWeights(r.weights());
        if (r.patch() != null && r.hiddenStates() == null) Interpret.print(r.patch());
        if (r.hiddenStates() == null) return;
        System.out.printf("%n%-40s %12s%n", "hidden state (0 = embeddings)", "mean ‖h‖");
        for (StateNorm h : r.hiddenStates()) System.out.printf("%-40d %12.4f%n", h.state(), h.meanNorm());
        if (r.attention() != null) {
            System.out.printf("%n%-48s %4s %7s %7s %7s %7s %8s%n", "attention (mean over real queries)", "head", "first", "last", "self", "prev", "entropy");
            for (AttentionSummary.Head h : r.attention()) {
                System.out.printf("%-48s %4d %7.3f %7.3f %7.3f %7s %8.3f%n", h.point(), h.head(), h.first(), h.last(), h.self(),
                        h.previous() == null ? "-" : String.format("%.3f", h.previous()), h.entropy());
            }
        }
        if (r.logitLens() != null) Interpret.print(r.logitLens());
        if (r.patch() != null) Interpret.print(r.patch());
        if (dump != null) System.out.println("\nwrote " + dump.resolve("activations.safetensors"));
    }

    private static void printWeights(WeightStatistics.Report w) {
        System.out.printf("%n%-48s %4s %8s %8s %8s %8s%n", "weights by head", "head", "‖W_Q‖", "‖W_K‖", "‖W_V‖", "‖W_O‖");
        for (WeightStatistics.Head h : w.heads()) System.out.printf("%-48s %4d %8.4f %8.4f %8.4f %8.4f%n", h.attention(), h.head(), h.q(), h.k(), h.v(), h.o());
        System.out.printf("%n%-48s %13s %8s%n", "MLP", "‖W_in‖", "‖W_out‖");
        for (WeightStatistics.Mlp m : w.mlps()) System.out.printf("%-48s %13.4f %8.4f%n", m.block(), m.in(), m.out());
    }
}
