package org.biaslab.nn.gpt2;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.io.hf.Gpt2Config;
import org.biaslab.io.hf.HfCheckpoint;
import org.biaslab.io.hf.HfConfig;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Embedding;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.Init;
import org.biaslab.nn.LayerNorm;
import org.biaslab.nn.Module;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;

/**
 * GPT-2 (Radford et al. 2019) as HuggingFace's {@code GPT2Model}: token embeddings {@code wte} plus learned positions
 * {@code wpe}, pre-LN blocks {@code h.0 … h.{L-1}} ({@link Gpt2Block}), and the final {@code ln_f}. The LM head is
 * tied to {@code wte}. Parameter names are HuggingFace's.
 */
public final class Gpt2 extends Module implements PretrainedModel {
    private final Gpt2Config config;
    private final Activation act;
    private final Embedding wte, wpe;
    private final List<Gpt2Block> blocks = new ArrayList<>();
    private final LayerNorm lnF;

    /** A model with PyTorch's default initialisation of each module; {@link #random} applies HuggingFace's scheme. */
    public Gpt2(Gpt2Config config, Activation act, Init init) {
        super(init.members());
        this.config = config;
        this.act = act;
        wte = child("wte", new Embedding(config.vocabSize(), config.nEmbd(), init));
        wpe = child("wpe", new Embedding(config.nPositions(), config.nEmbd(), init));
        for (int i = 0; i < config.nLayer(); i++) blocks.add(child("h." + i, new Gpt2Block(config, i, act, init)));
        lnF = child("ln_f", new LayerNorm(config.nEmbd(), config.layerNormEpsilon(), true, init));
    }

    /**
     * A model drawn as HuggingFace initialises GPT-2: weights and embeddings N(0, r²) with r = {@code initializer_range},
     * the residual projections {@code c_proj} N(0, r²/(2L)), biases 0, LayerNorm γ = 1 and β = 0.
     */
    public static Gpt2 random(Gpt2Config config, Activation act, long seed) {
        Init init = Init.f32(seed);
        Gpt2 m = new Gpt2(config, act, init);
        double r = config.initializerRange();
        Map<String, Tensor> fresh = new LinkedHashMap<>();
        m.namedParameters().forEach((name, t) -> {
            int[] dims = t.shape().dims();
            boolean norm = name.startsWith("ln_f.") || name.contains(".ln_");
            fresh.put(name, norm ? init.constant(name.endsWith(".weight") ? 1 : 0, dims)
                    : name.endsWith(".bias") ? init.constant(0, dims)
                    : name.endsWith("c_proj.weight") ? init.normal(r / Math.sqrt(2.0 * config.nLayer()), dims)
                    : init.normal(r, dims));
        });
        m.load(fresh);
        return m;
    }

    /**
     * Loads a checkpoint directory saved by {@code GPT2Model} or {@code GPT2LMHeadModel} (names with or without
     * {@code transformer.}; {@code lm_head.weight} stands in for a missing {@code wte.weight}; the attention-mask
     * buffers {@code h.N.attn.bias} and {@code h.N.attn.masked_bias} of old checkpoints are skipped).
     */
    public static Gpt2 load(Path dir) throws IOException {
        HfConfig hf = HfConfig.read(dir.resolve(HuggingFace.CONFIG));
        Gpt2Config c = Gpt2Config.from(hf);
        Activation act = HuggingFace.activation(hf, "activation_function", c.activation());
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            ckpt.checkBlocks(hf, "n_layer", c.nLayer(), "transformer.", "h.");
            Gpt2 m = HuggingFace.build(hf, ckpt, init -> new Gpt2(c, act, init));
            m.load(ckpt.select(HuggingFace.shapes(m), "transformer.", Map.of("wte.weight", List.of("lm_head.weight")),
                    n -> n.matches("h\\.\\d+\\.attn\\.(masked_)?bias")));
            return m;
        }
    }

    public Gpt2Config config() {
        return config;
    }

    @Override
    public String architecture() {
        return "gpt2";
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public int layers() {
        return config.nLayer();
    }

    /** HuggingFace's hidden states: wte + wpe, then each block's output, the last one after {@code ln_f}. */
    @Override
    public List<Tensor> hiddenStates(Input input) {
        Tensor ids = input.inputIds();
        if (ids == null) throw new IllegalArgumentException("gpt2: the input needs inputIds");
        int t = ids.dim(-1);
        if (t > config.nPositions()) throw new IllegalArgumentException("gpt2: " + t + " tokens exceed n_positions = " + config.nPositions());
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) positions[i] = i;
        Tensor x = wte.forward(ids).add(wpe.forward(Tensor.ofInts(positions, t))); // (B, T, d) + (T, d)
        List<Tensor> hidden = new ArrayList<>(List.of(x));
        for (Gpt2Block b : blocks) hidden.add(x = b.forward(x, input.attentionMask()));
        hidden.set(blocks.size(), lnF.forward(x));
        return hidden;
    }

    /** Next-token logits (B, T, V): the final hidden state times {@code wte}ᵀ (the tied LM head). */
    public Tensor logits(Input input) {
        List<Tensor> h = hiddenStates(input);
        return h.get(h.size() - 1).matmulT(wte.namedParameters().get("weight")); // (B, T, d) x (V, d)ᵀ -> (B, T, V)
    }

    @Override
    public Gpt2 randomInit(long seed) {
        return random(config, act, seed);
    }
}
