package org.biaslab.nn.bert;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;

/**
 * HuggingFace's {@code BertModel} without the pooler: {@code embeddings}, then {@code encoder.layer.0 …
 * encoder.layer.{L−1}} ({@link BertLayer}). Parameter names are HuggingFace's ({@code
 * encoder.layer.0.attention.self.query.weight}), so ONNX exports and safetensors checkpoints load into it.
 */
public final class BertModel extends Module implements PretrainedModel {
    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final List<BertLayer> layers = new ArrayList<>();

    /** A model whose parameters are drawn from {@code init} by biaslab's module defaults; see {@link #initialised}. */
    public BertModel(BertConfig c, Init init) {
        super(init.members());
        if (init.members() != 1) throw new IllegalArgumentException("bert: ensembles of pretrained models are not supported");
        config = c;
        embeddings = child("embeddings", new BertEmbeddings(c, init));
        for (int i = 0; i < c.numHiddenLayers(); i++) layers.add(child("encoder.layer." + i, new BertLayer(c, init)));
    }

    /**
     * A model initialised as HuggingFace's {@code BertPreTrainedModel._init_weights}: Linear and Embedding weights
     * N(0, initializer_range²) with the {@code pad_token_id} row of {@code word_embeddings} zero, biases 0, LayerNorm
     * γ = 1, β = 0.
     */
    public static BertModel initialised(BertConfig c, DType dtype, long seed) {
        Init init = new Init(dtype, seed);
        BertModel m = new BertModel(c, init);
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (var e : m.namedParameters().entrySet()) {
            String name = e.getKey();
            int[] dims = e.getValue().shape().dims();
            Tensor v;
            if (name.endsWith("LayerNorm.weight")) v = init.constant(1, dims);
            else if (name.endsWith(".bias")) v = init.constant(0, dims);
            else v = init.normal(c.initializerRange(), dims);
            if (name.equals("embeddings.word_embeddings.weight")) v = zeroRow(v, c.padTokenId());
            values.put(name, v);
        }
        m.load(values);
        return m;
    }

    private static Tensor zeroRow(Tensor table, int row) {
        double[] mask = new double[table.dim(0)];
        java.util.Arrays.fill(mask, 1);
        mask[row] = 0;
        return table.mul(Tensor.of(mask, table.dim(0), 1).to(table.dtype())); // (V, d) * (V, 1)
    }

    public BertConfig config() {
        return config;
    }

    @Override
    public String architecture() {
        return "bert";
    }

    @Override
    public Module module() {
        return this;
    }

    @Override
    public int layers() {
        return layers.size();
    }

    /** {@code inputIds} (B, T) int32 is required; a missing mask means no padding, missing token types mean type 0. */
    @Override
    public List<Tensor> hiddenStates(Input in) {
        Tensor ids = in.inputIds();
        if (ids == null || ids.shape().rank() != 2) throw new IllegalArgumentException("bert: input_ids must be given as (batch, tokens)");
        int b = ids.dim(0), t = ids.dim(1);
        Tensor types = in.tokenTypeIds() != null ? checked("token_type_ids", in.tokenTypeIds(), ids) : Tensor.ofInts(new int[b * t], b, t);
        Tensor mask = in.attentionMask() != null ? checked("attention_mask", in.attentionMask(), ids) : null;

        List<Tensor> states = new ArrayList<>();
        Tensor x = embeddings.forward(ids, types); // (B, T, d)
        states.add(x);
        for (BertLayer layer : layers) {
            x = layer.forward(x, mask);
            states.add(x);
        }
        return states;
    }

    private static Tensor checked(String name, Tensor t, Tensor ids) {
        if (!t.shape().equals(ids.shape())) throw new IllegalArgumentException("bert: " + name + " " + t.shape() + " does not match input_ids " + ids.shape());
        return t;
    }

    @Override
    public BertModel randomInit(long seed) {
        return initialised(config, namedParameters().values().iterator().next().dtype(), seed);
    }
}
