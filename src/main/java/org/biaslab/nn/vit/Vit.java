package org.biaslab.nn.vit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.io.hf.HfCheckpoint;
import org.biaslab.io.hf.HfConfig;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Activation;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Module;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;

/**
 * The Vision Transformer (Dosovitskiy et al. 2021) as HuggingFace's {@code ViTModel} without its pooler:
 * {@code embeddings} ({@link VitEmbeddings}), pre-LN layers {@code encoder.layer.0 … L-1} ({@link VitLayer}) and the
 * final {@code layernorm}. Parameter names are HuggingFace's.
 */
public final class Vit extends Module implements PretrainedModel {
    private final VitConfig config;
    private final Activation act;
    private final AttentionVariant variant;
    private final VitEmbeddings embeddings;
    private final List<VitLayer> layers = new ArrayList<>();
    private final LayerNorm layernorm;

    /** A model with PyTorch's default initialisation of each module; {@link #random} applies HuggingFace's scheme. */
    public Vit(VitConfig config, Activation act, Init init) {
        this(config, act, AttentionVariant.BASELINE, init);
    }

    /**
     * A model whose layers use the attention {@code variant}, with each module's own initialisation (PyTorch's
     * defaults; {@link org.biaslab.nn.SpectralAttention}'s for the reparameterised heads); an ensemble with E seeds
     * takes images (E, B, C, H, W).
     */
    public Vit(VitConfig config, Activation act, AttentionVariant variant, Init init) {
        super(init.members());
        this.config = config;
        this.act = act;
        this.variant = variant;
        embeddings = child("embeddings", new VitEmbeddings(config, init));
        for (int i = 0; i < config.numHiddenLayers(); i++) layers.add(child("encoder.layer." + i, new VitLayer(config, act, variant, init)));
        layernorm = child("layernorm", new LayerNorm(config.hiddenSize(), config.layerNormEps(), true, init));
    }

    /**
     * A model drawn as HuggingFace initialises ViT: weights (linear and patch projection), {@code cls_token} and
     * {@code position_embeddings} N(0, r²) with r = {@code initializer_range} (HF truncates at ±2, at least 10 standard
     * deviations away for r ≤ 0.2, so nothing is cut in practice), biases 0, LayerNorm γ = 1, β = 0.
     */
    public static Vit random(VitConfig config, Activation act, long seed) {
        Init init = Init.f32(seed);
        Vit m = new Vit(config, act, init);
        Map<String, Tensor> fresh = new LinkedHashMap<>();
        m.namedParameters().forEach((name, t) -> {
            int[] dims = t.shape().dims();
            boolean norm = name.startsWith("layernorm") || name.contains(".layernorm_");
            fresh.put(name, norm ? init.constant(name.endsWith(".weight") ? 1 : 0, dims)
                    : name.endsWith(".bias") ? init.constant(0, dims)
                    : init.normal(config.initializerRange(), dims));
        });
        m.load(fresh);
        return m;
    }

    /**
     * Loads a checkpoint directory saved by {@code ViTModel} or a ViT task model (names with or without {@code vit.});
     * the pooler and task heads ({@code pooler.*}, {@code classifier.*}) are skipped.
     */
    public static Vit load(Path dir) throws IOException {
        HfConfig hf = HfConfig.read(dir.resolve(HuggingFace.CONFIG));
        VitConfig c = VitConfig.from(hf);
        Activation act = HuggingFace.activation(hf, "hidden_act", c.hiddenAct());
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            ckpt.checkBlocks(hf, "num_hidden_layers", c.numHiddenLayers(), "vit.", "encoder.layer.");
            Vit m = HuggingFace.build(hf, ckpt, init -> new Vit(c, act, init));
            m.load(ckpt.select(HuggingFace.shapes(m), "vit.", Map.of(), n -> n.startsWith("pooler.") || n.startsWith("classifier.")));
            return m;
        }
    }

    /** The encoder layers, in order. */
    public List<VitLayer> encoderLayers() {
        return List.copyOf(layers);
    }

    public VitConfig config() {
        return config;
    }

    @Override
    public String architecture() {
        return "vit";
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public int layers() {
        return config.numHiddenLayers();
    }

    /** HuggingFace's hidden states: the embeddings, then each layer's output (before the final {@code layernorm}). */
    @Override
    public List<Tensor> hiddenStates(Input input) {
        if (input.pixelValues() == null) throw new IllegalArgumentException("vit: the input needs pixelValues");
        Tensor x = embeddings.forward(input.pixelValues()); // (B, N + 1, d)
        List<Tensor> hidden = new ArrayList<>(List.of(x));
        for (VitLayer layer : layers) hidden.add(x = layer.forward(x));
        return hidden;
    }

    /** HuggingFace's {@code last_hidden_state}: the final {@code layernorm} of the last layer's output (B, N + 1, d). */
    public Tensor lastHiddenState(Input input) {
        List<Tensor> h = hiddenStates(input);
        return layernorm.forward(h.get(h.size() - 1));
    }

    @Override
    public Vit randomInit(long seed) {
        return variant == AttentionVariant.BASELINE ? random(config, act, seed) : new Vit(config, act, variant, Init.f32(seed));
    }
}
