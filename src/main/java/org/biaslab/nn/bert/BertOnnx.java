package org.biaslab.nn.bert;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.io.onnx.OnnxModel;
import org.biaslab.io.onnx.OnnxNode;
import org.biaslab.io.onnx.OnnxTensor;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;

/**
 * Maps a BERT-family ONNX graph, as HuggingFace models export through {@code torch.onnx}, onto a {@link BertModel}.
 * A weight's role comes from the node that consumes it: {@code /encoder/layer.0/attention/self/query/MatMul} takes
 * {@code encoder.layer.0.attention.self.query.weight} (stored (in, out), transposed to Linear's (out, in)), its
 * {@code Add} the bias, a {@code LayerNorm}'s {@code Mul}/{@code Add} γ/β, an embedding's {@code Gather} the table.
 * The head count comes from the attention's Reshape constants, LayerNorm eps and the activation from the graph.
 */
public final class BertOnnx {
    private BertOnnx() {}

    /** Reads and maps {@code file}; a graph biaslab cannot map gives a {@link FormatException} naming the problem. */
    public static BertModel load(Path file, DType dtype) throws IOException {
        return load(OnnxModel.read(file), dtype);
    }

    /** Maps a graph already read. */
    public static BertModel load(OnnxModel graph, DType dtype) throws FormatException {
        try {
            Map<String, Tensor> weights = weights(graph);
            BertModel m = new BertModel(config(graph, weights), Init.forLoading(dtype));
            m.load(weights);
            return m;
        } catch (IllegalArgumentException e) {
            throw new FormatException(graph.file(), "not a BERT graph biaslab can map: " + e.getMessage(), e);
        }
    }

    /** Every initializer with a parameter role, by HuggingFace name. */
    static Map<String, Tensor> weights(OnnxModel graph) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (OnnxNode n : graph.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                OnnxTensor t = graph.initializers().get(n.inputs().get(i));
                String role = t == null || t.dims().length == 0 ? null : role(n, i);
                if (role == null) continue;
                Tensor v = Tensor.of(t.toFloatArray(), t.shape());
                out.put(role, n.opType().equals("MatMul") ? v.transpose(0, 1) : v); // (in, out) -> (out, in)
            }
        }
        return out;
    }

    /** The HuggingFace parameter name that input {@code i} of {@code n} holds, or null. */
    private static String role(OnnxNode n, int i) {
        String name = n.name();
        int start = name.indexOf("/embeddings/") >= 0 ? name.indexOf("/embeddings/") : name.indexOf("/encoder/");
        int end = name.lastIndexOf('/');
        if (start < 0 || end <= start) return null;
        String module = name.substring(start + 1, end).replace('/', '.'); // e.g. encoder.layer.0.attention.self.query
        boolean norm = module.endsWith("LayerNorm");
        return switch (n.opType()) {
            case "MatMul" -> i == 1 && !norm ? module + ".weight" : null;  // x · W
            case "Gather" -> i == 0 && !norm ? module + ".weight" : null;  // table[ids]
            case "Mul" -> norm ? module + ".weight" : null;
            case "Add" -> module + ".bias";
            case "LayerNormalization" -> i == 1 ? module + ".weight" : i == 2 ? module + ".bias" : null;
            default -> null;
        };
    }

    static BertConfig config(OnnxModel graph, Map<String, Tensor> weights) {
        Tensor word = require(weights, "embeddings.word_embeddings.weight");
        int d = word.dim(1), layers = 0;
        while (weights.containsKey("encoder.layer." + layers + ".attention.self.query.weight")) layers++;
        if (layers == 0) throw new IllegalArgumentException("no encoder layers (no node /encoder/layer.0/attention/self/query/MatMul)");
        return new BertConfig(word.dim(0), d, layers, heads(graph, d),
                require(weights, "encoder.layer.0.intermediate.dense.weight").dim(0), activation(graph),
                require(weights, "embeddings.position_embeddings.weight").dim(0),
                require(weights, "embeddings.token_type_embeddings.weight").dim(0), eps(graph), 0.02, 0);
    }

    private static Tensor require(Map<String, Tensor> weights, String name) {
        Tensor t = weights.get(name);
        if (t == null) throw new IllegalArgumentException("no weight plays '" + name + "'");
        return t;
    }

    /** H from the (B, T, H, d_head) Reshape of layer 0's projections. */
    private static int heads(OnnxModel graph, int d) {
        for (OnnxNode n : graph.nodes()) {
            if (!n.opType().equals("Reshape") || !n.name().contains("/layer.0/attention/self/")) continue;
            if (n.inputs().size() != 2) throw new IllegalArgumentException("Reshape node '" + n.name() + "' has inputs " + n.inputs() + "; it needs two, the data and the shape");
            long[] shape = constantShape(graph, n.inputs().get(1));
            if (shape != null && shape.length == 4 && shape[2] > 0 && shape[2] <= d && shape[3] > 0 && shape[2] * shape[3] == d) return (int) shape[2];
        }
        throw new IllegalArgumentException("no Reshape to (B, T, heads, d_head) in /encoder/layer.0/attention/self/ gives the head count");
    }

    /** A Reshape target that is a constant or a Concat of pieces, unknown pieces as −1; null if neither. */
    private static long[] constantShape(OnnxModel graph, String value) {
        OnnxTensor c = graph.constant(value);
        if (c != null) return c.toLongArray();
        OnnxNode concat = graph.producer(value);
        if (concat == null || !concat.opType().equals("Concat")) return null;
        return concat.inputs().stream().mapToLong(in -> {
            OnnxTensor piece = graph.constant(in);
            return piece != null && piece.size() == 1 ? piece.toLongArray()[0] : -1;
        }).toArray();
    }

    /**
     * LayerNorm eps: a LayerNormalization's attribute, or the scalar added to the variance in a decomposed one. The
     * graph holds it as a float32; the shortest decimal that rounds to it gives back the config's value (1e-12).
     */
    private static double eps(OnnxModel graph) {
        for (OnnxNode n : graph.nodes()) {
            if (!n.name().contains("LayerNorm/")) continue;
            if (n.opType().equals("LayerNormalization")) return n.attribute("epsilon") == null ? 1e-5 : eps(n, n.attribute("epsilon").f());
            if (!n.opType().equals("Add")) continue;
            for (String in : n.inputs()) {
                OnnxTensor c = graph.constant(in);
                if (c != null && c.size() == 1) return eps(n, c.toFloatArray()[0]);
            }
        }
        throw new IllegalArgumentException("no LayerNorm eps in the graph");
    }

    /** The shortest decimal that rounds to {@code f}, which must be a finite eps ≥ 0 (NaN or −1 would pass silently). */
    private static double eps(OnnxNode n, float f) {
        if (!(f >= 0) || Float.isInfinite(f)) throw new IllegalArgumentException("LayerNorm eps " + f + " in node '" + n.name() + "' is not a finite number >= 0");
        return Double.parseDouble(Float.toString(f));
    }

    /** The feed-forward activation of layer 0: Erf (exact GELU), Tanh (GELU's tanh approximation) or Relu. */
    private static Activation activation(OnnxModel graph) {
        for (OnnxNode n : graph.nodes()) {
            if (!n.name().contains("/layer.0/intermediate/")) continue;
            switch (n.opType()) {
                case "Erf" -> { return Activation.GELU; }
                case "Tanh" -> { return Activation.GELU_TANH; }
                case "Relu" -> { return Activation.RELU; }
                case "Gelu" -> {
                    var approximate = n.attribute("approximate");
                    return approximate != null && "tanh".equals(approximate.s()) ? Activation.GELU_TANH : Activation.GELU;
                }
                default -> { }
            }
        }
        throw new IllegalArgumentException("no activation (Erf, Tanh, Relu or Gelu) in /encoder/layer.0/intermediate/");
    }
}
