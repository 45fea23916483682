package org.biaslab.probe.interpret;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.biaslab.nn.AttentionHeads;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * Frobenius norms of a pretrained model's weights by layer and head, by HuggingFace's parameter names: per head h
 * ‖W_Q^h‖, ‖W_K^h‖, ‖W_V^h‖ (the head's d_head output rows of the query, key and value projections) and ‖W_O^h‖ (the
 * head's d_head input columns of the output projection); per block ‖W_in‖ and ‖W_out‖ of the MLP (T5's gated
 * {@code wi_0}, {@code wi_1} together in W_in).
 */
public final class WeightStatistics {
    private WeightStatistics() {}

    /** One head's norms; {@code attention} is its attention module's name ({@code encoder.layer.3.attention.self}). */
    public record Head(String attention, int head, double q, double k, double v, double o) {}

    /** One block's MLP norms; {@code block} is the name its weights hang under ({@code h.3.mlp}). */
    public record Mlp(String block, double in, double out) {}

    /** Every attention head's and every MLP's norms, in parameter order. */
    public record Report(List<Head> heads, List<Mlp> mlps) {}

    private static final Pattern W_IN = Pattern.compile("(.*\\.layer\\.\\d+)\\.intermediate\\.dense\\.weight|(.*\\.mlp)\\.c_fc\\.weight|(.*\\.DenseReluDense)\\.wi(_0|_1)?\\.weight");
    private static final Pattern W_OUT = Pattern.compile("(.*\\.layer\\.\\d+)\\.output\\.dense\\.weight|(.*\\.mlp)\\.c_proj\\.weight|(.*\\.DenseReluDense)\\.wo\\.weight");

    /** The norms of a BERT, GPT-2, ViT or T5 module (parameters under HuggingFace's names). */
    public static Report of(Module model) {
        Map<String, Tensor> p = model.namedParameters();
        List<Head> heads = new ArrayList<>();
        model.namedModules().forEach((name, m) -> {
            if (m instanceof AttentionHeads a) heads.addAll(heads(name, a.heads(), p));
        });
        List<Mlp> mlps = new ArrayList<>();
        Map<String, double[]> squares = new java.util.LinkedHashMap<>(); // block -> {Σ W_in², Σ W_out²}
        p.forEach((name, w) -> {
            Matcher in = W_IN.matcher(name), out = W_OUT.matcher(name);
            if (in.matches()) squares.computeIfAbsent(group(in), k -> new double[2])[0] += sumOfSquares(w);
            else if (out.matches()) squares.computeIfAbsent(group(out), k -> new double[2])[1] += sumOfSquares(w);
        });
        squares.forEach((block, s) -> mlps.add(new Mlp(block, Math.sqrt(s[0]), Math.sqrt(s[1]))));
        return new Report(heads, mlps);
    }

    private static String group(Matcher m) {
        for (int g = 1; g <= 3; g++) if (m.group(g) != null) return m.group(g);
        throw new IllegalStateException(m.group());
    }

    /** The heads of the attention module {@code a}, by the layout of its projections. */
    private static List<Head> heads(String a, int h, Map<String, Tensor> p) {
        Tensor q, k, v, o;
        boolean oRows;                                          // whether W_O's head blocks are rows (stored (in, out))
        if (p.containsKey(a + ".query.weight")) {               // BERT: Linear (out, in); W_O in the sibling output.dense
            q = p.get(a + ".query.weight");
            k = p.get(a + ".key.weight");
            v = p.get(a + ".value.weight");
            o = p.get(a.substring(0, a.lastIndexOf('.')) + ".output.dense.weight");
            oRows = false;
        } else if (p.containsKey(a + ".attention.query.weight")) { // ViT: the module holds attention.{query,key,value} and output.dense
            q = p.get(a + ".attention.query.weight");
            k = p.get(a + ".attention.key.weight");
            v = p.get(a + ".attention.value.weight");
            o = p.get(a + ".output.dense.weight");
            oRows = false;
        } else if (p.containsKey(a + ".c_attn.weight")) {       // GPT-2: Conv1D (in, out) = (d, 3d), columns q | k | v
            Tensor qkv = p.get(a + ".c_attn.weight").transpose(0, 1); // (3d, d)
            int d = qkv.dim(1);
            q = qkv.slice(0, 0, d);
            k = qkv.slice(0, d, 2 * d);
            v = qkv.slice(0, 2 * d, 3 * d);
            o = p.get(a + ".c_proj.weight");                    // (H·dh, d)
            oRows = true;
        } else if (p.containsKey(a + ".q.weight")) {            // T5: Linear (H·dkv, d), o (d, H·dkv)
            q = p.get(a + ".q.weight");
            k = p.get(a + ".k.weight");
            v = p.get(a + ".v.weight");
            o = p.get(a + ".o.weight");
            oRows = false;
        } else {
            throw new IllegalArgumentException(a + ": no query/key/value weights under HuggingFace's names (BERT, GPT-2, ViT, T5)");
        }
        if (o == null) throw new IllegalArgumentException(a + ": no output projection weight");
        double[] nq = rowBlocks(q, h), nk = rowBlocks(k, h), nv = rowBlocks(v, h);
        double[] no = rowBlocks(oRows ? o : o.transpose(0, 1), h);
        List<Head> out = new ArrayList<>();
        for (int i = 0; i < h; i++) out.add(new Head(a, i, nq[i], nk[i], nv[i], no[i]));
        return out;
    }

    /** ‖rows i·R/h … (i+1)·R/h‖_F for each of h equal blocks of rows of w (R, C). */
    static double[] rowBlocks(Tensor w, int h) {
        int rows = w.dim(0), cols = w.dim(1), per = rows / h;
        double[] x = w.toDoubleArray();
        double[] n = new double[h];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) n[r / per] += x[r * cols + c] * x[r * cols + c];
        for (int i = 0; i < h; i++) n[i] = Math.sqrt(n[i]);
        return n;
    }

    private static double sumOfSquares(Tensor w) {
        double s = 0;
        for (double x : w.toDoubleArray()) s += x * x;
        return s;
    }
}
