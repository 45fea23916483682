package org.biaslab.probe.spectrum;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.biaslab.nn.AttentionHeads;
import org.biaslab.nn.DecoderLayer;
import org.biaslab.nn.EncoderLayer;
import org.biaslab.nn.Module;
import org.biaslab.nn.MultiheadAttention;
import org.biaslab.nn.SpectralAttention;
import org.biaslab.nn.bert.BertSelfAttention;
import org.biaslab.nn.gpt2.Gpt2Attention;
import org.biaslab.nn.t5.T5Attention;
import org.biaslab.nn.vit.VitAttention;
import org.biaslab.tensor.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Reads the value–output maps H_h = W_V^h W_O^h of every self-attention layer of a model from its named parameters
 * (papers.md §P2.2), for each architecture biaslab has. In the row-vector convention X ↦ X W, a PyTorch
 * {@code Linear} weight (out, in) is used transposed and a HuggingFace {@code Conv1D} weight (in, out) as stored:
 * <ul>
 * <li>P1's models ({@link MultiheadAttention} {@code self_attn}): W_V = rows 2d…3d of {@code in_proj_weight} (3d, d),
 *     transposed; W_O = {@code out_proj.weight}ᵀ. Post-LN: X is the previous layer's last norm ({@code norm2}, in a
 *     decoder {@code norm3}; none before layer 0); Pre-LN: the layer's {@code norm1}.</li>
 * <li>BERT: {@code attention.self.value}, {@code attention.output.dense}; X is the previous layer's
 *     {@code output.LayerNorm}, for layer 0 {@code embeddings.LayerNorm}.</li>
 * <li>GPT-2: columns 2d…3d of {@code attn.c_attn} (d, 3d) and {@code attn.c_proj}; X is {@code ln_1}.</li>
 * <li>ViT: {@code attention.attention.value}, {@code attention.output.dense}; X is {@code layernorm_before}.</li>
 * <li>T5: {@code SelfAttention.v}, {@code SelfAttention.o} (no biases); X is the sublayer's {@code layer_norm}.</li>
 * </ul>
 * Cross-attention ({@code multihead_attn}, {@code EncDecAttention}) is left out: its pattern is not square.
 */
public final class ValueOutputMaps {
    private static final Pattern LAYER = Pattern.compile("(.*)\\.(\\d+)\\.self_attn");

    private ValueOutputMaps() {}

    /**
     * The maps of every self-attention layer of {@code model}, in module order; with {@code foldNorm} each W_V^h
     * carries the γ of the norm that feeds the attention (diag(γ) W_V^h) and the offset the β term.
     */
    public static List<ValueOutput> of(Module model, boolean foldNorm) {
        if (model.members() != 1) throw new IllegalArgumentException("spectra: an ensemble of " + model.members() + " models; measure one member");
        Map<String, Module> modules = model.namedModules();
        Map<String, Tensor> params = model.namedParameters();
        List<ValueOutput> out = new ArrayList<>();
        for (var e : modules.entrySet()) {
            if (!(e.getValue() instanceof AttentionHeads a) || isCrossAttention(e.getKey())) continue;
            ValueOutput maps = read(e.getKey(), a, modules, params);
            out.add(foldNorm ? fold(maps, params) : maps);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("spectra: the model has no self-attention layer");
        return out;
    }

    private static boolean isCrossAttention(String path) {
        return path.endsWith("multihead_attn") || path.endsWith("EncDecAttention");
    }

    private static ValueOutput read(String path, AttentionHeads a, Map<String, Module> modules, Map<String, Tensor> params) {
        String p = path + ".";
        return switch (a) {
            case MultiheadAttention _ -> {
                Tensor w = param(params, p + "in_proj_weight");
                int d = w.dim(1);
                yield split(path, multiheadNorm(path, modules), a.heads(),
                        columns(linear(w), 2 * d, 3 * d), slice(params.get(p + "in_proj_bias"), 2 * d, 3 * d),
                        linear(param(params, p + "out_proj.weight")), params.get(p + "out_proj.bias"));
            }
            case BertSelfAttention _ -> {
                String layer = parent(path, ".attention.self");
                int i = Integer.parseInt(layer.substring(layer.lastIndexOf('.') + 1));
                String norm = i == 0 ? "embeddings.LayerNorm" : layer.substring(0, layer.lastIndexOf('.') + 1) + (i - 1) + ".output.LayerNorm";
                yield split(path, norm, a.heads(), linear(param(params, p + "value.weight")), row(params.get(p + "value.bias")),
                        linear(param(params, layer + ".attention.output.dense.weight")), params.get(layer + ".attention.output.dense.bias"));
            }
            case Gpt2Attention _ -> {
                Tensor w = param(params, p + "c_attn.weight");
                int d = w.dim(0);
                yield split(path, parent(path, ".attn") + ".ln_1", a.heads(), columns(matrix(w), 2 * d, 3 * d),
                        slice(params.get(p + "c_attn.bias"), 2 * d, 3 * d), matrix(param(params, p + "c_proj.weight")), params.get(p + "c_proj.bias"));
            }
            case VitAttention _ -> split(path, parent(path, ".attention") + ".layernorm_before", a.heads(),
                    linear(param(params, p + "attention.value.weight")), row(params.get(p + "attention.value.bias")),
                    linear(param(params, p + "output.dense.weight")), params.get(p + "output.dense.bias"));
            case T5Attention _ -> split(path, parent(path, ".SelfAttention") + ".layer_norm", a.heads(),
                    linear(param(params, p + "v.weight")), null, linear(param(params, p + "o.weight")), null);
            case SpectralAttention sa -> {
                // P2's reparameterisation holds H_h = V Λ Vᵀ itself: W_V^h = H_h and W_O^h = I (d × d each)
                Tensor hs = sa.valueOutputMaps(); // (H, d, d)
                int heads = hs.dim(0), d = hs.dim(1);
                double[] all = hs.toDoubleArray();
                List<DMatrixRMaj> wv = new ArrayList<>(), wo = new ArrayList<>();
                for (int h = 0; h < heads; h++) {
                    wv.add(new DMatrixRMaj(d, d, true, java.util.Arrays.copyOfRange(all, h * d * d, (h + 1) * d * d)));
                    wo.add(CommonOps_DDRM.identity(d));
                }
                yield new ValueOutput(path, parent(path, ".attention") + ".layernorm_before", false, wv, wo,
                        new DMatrixRMaj(1, d, true, param(params, p + "bias").toDoubleArray()));
            }
            default -> throw new IllegalArgumentException("spectra: no value–output map known for " + a.getClass().getSimpleName() + " at " + path);
        };
    }

    /** The norm that feeds a {@code ….layers.i.self_attn} of an encoder or decoder layer (see the class comment). */
    private static String multiheadNorm(String path, Map<String, Module> modules) {
        Matcher m = LAYER.matcher(path);
        if (!m.matches()) throw new IllegalArgumentException("spectra: attention " + path + " is not a '….layers.i.self_attn'");
        String stack = m.group(1);
        int i = Integer.parseInt(m.group(2));
        Module layer = modules.get(stack + "." + i);
        boolean decoder = layer instanceof DecoderLayer;
        boolean preLn = decoder ? ((DecoderLayer) layer).config().normFirst() : ((EncoderLayer) layer).config().normFirst();
        if (preLn) return stack + "." + i + ".norm1";
        return i == 0 ? null : stack + "." + (i - 1) + (decoder ? ".norm3" : ".norm2");
    }

    private static String parent(String path, String suffix) {
        if (!path.endsWith(suffix)) throw new IllegalArgumentException("spectra: attention " + path + " does not end in " + suffix);
        return path.substring(0, path.length() - suffix.length());
    }

    /** Cuts the value (d × inner) and output (inner × d) maps into heads; offset c = b_V W_O + b_O. */
    private static ValueOutput split(String path, String norm, int heads, DMatrixRMaj wv, DMatrixRMaj bv, DMatrixRMaj wo, Tensor bo) {
        int d = wv.numRows, inner = wv.numCols, dh = inner / heads;
        List<DMatrixRMaj> v = new ArrayList<>(), o = new ArrayList<>();
        for (int h = 0; h < heads; h++) {
            v.add(CommonOps_DDRM.extract(wv, 0, d, h * dh, (h + 1) * dh));
            o.add(CommonOps_DDRM.extract(wo, h * dh, (h + 1) * dh, 0, d));
        }
        DMatrixRMaj offset = bo == null ? new DMatrixRMaj(1, d) : new DMatrixRMaj(1, d, true, bo.toDoubleArray());
        if (bv != null) CommonOps_DDRM.multAdd(bv, wo, offset); // (1, inner) x (inner, d)
        return new ValueOutput(path, norm, false, v, o, offset);
    }

    /** diag(γ) W_V^h for every head, and c ← c + β Σ_h H_h. */
    private static ValueOutput fold(ValueOutput m, Map<String, Tensor> params) {
        if (m.norm() == null) return new ValueOutput(m.attention(), null, true, m.wv(), m.wo(), m.offset());
        double[] gamma = param(params, m.norm() + ".weight").toDoubleArray();
        Tensor beta = params.get(m.norm() + ".bias");
        DMatrixRMaj offset = m.offset().copy();
        if (beta != null) CommonOps_DDRM.multAdd(new DMatrixRMaj(1, m.d(), true, beta.toDoubleArray()), m.sum(), offset);
        List<DMatrixRMaj> wv = new ArrayList<>();
        for (DMatrixRMaj w : m.wv()) {
            DMatrixRMaj g = w.copy();
            CommonOps_DDRM.multRows(gamma, g); // diag(γ) W_V^h
            wv.add(g);
        }
        return new ValueOutput(m.attention(), m.norm(), true, wv, m.wo(), offset);
    }

    private static Tensor param(Map<String, Tensor> params, String name) {
        Tensor t = params.get(name);
        if (t == null) throw new IllegalArgumentException("spectra: the model has no parameter '" + name + "'");
        return t;
    }

    /** A stored 2-D weight as a matrix of the same layout. */
    private static DMatrixRMaj matrix(Tensor w) {
        if (w.shape().rank() != 2) throw new IllegalArgumentException("spectra: weight " + w.shape() + " is not a matrix");
        return new DMatrixRMaj(w.dim(0), w.dim(1), true, w.toDoubleArray());
    }

    /** A Linear weight (out, in) as the (in, out) matrix of X ↦ X Wᵀ. */
    private static DMatrixRMaj linear(Tensor w) {
        return CommonOps_DDRM.transpose(matrix(w), null);
    }

    private static DMatrixRMaj columns(DMatrixRMaj m, int from, int to) {
        return CommonOps_DDRM.extract(m, 0, m.numRows, from, to);
    }

    /** A bias as a row, or null. */
    private static DMatrixRMaj row(Tensor bias) {
        return bias == null ? null : new DMatrixRMaj(1, bias.size(), true, bias.toDoubleArray());
    }

    /** Entries from…to of a bias as a row, or null. */
    private static DMatrixRMaj slice(Tensor bias, int from, int to) {
        if (bias == null) return null;
        double[] b = bias.toDoubleArray();
        return new DMatrixRMaj(1, to - from, true, java.util.Arrays.copyOfRange(b, from, to));
    }
}
