package org.biaslab.nn.bert;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.biaslab.io.onnx.OnnxTensor;
import org.biaslab.io.onnx.Proto;
import org.biaslab.tensor.Tensor;

/**
 * BERT graphs written by hand as torch.onnx exports them: the nodes and initializers {@link BertOnnx} reads, in the two
 * ways exporters write them (decomposed LayerNorm with Erf and Reshape shapes from Concat; fused LayerNormalization
 * and Gelu with constant shapes).
 */
public final class TinyBertOnnx {
    private TinyBertOnnx() {}

    /** The nodes and initializers BertOnnx reads, named as torch.onnx names HuggingFace's modules (not a runnable graph). */
    public static byte[] export(BertModel m, BertConfig c, boolean fused) {
        Map<String, Tensor> p = m.namedParameters();
        Proto g = new Proto();
        for (String table : new String[] {"word_embeddings", "position_embeddings", "token_type_embeddings"}) {
            g.message(5, initializer("embeddings." + table + ".weight", p.get("embeddings." + table + ".weight")));
            g.message(1, node("/embeddings/" + table + "/Gather", "Gather", "embeddings." + table + ".weight", "ids"));
        }
        layerNorm(g, p, "embeddings.LayerNorm", c.layerNormEps(), fused);
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String prefix = "encoder.layer." + l + ".";
            for (String linear : new String[] {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense"}) {
                String path = "/" + (prefix + linear).replace('.', '/').replace("layer/" + l, "layer." + l);
                Tensor w = p.get(prefix + linear + ".weight").transpose(0, 1); // (out, in) -> (in, out) as MatMul stores it
                g.message(5, initializer("onnx::MatMul_" + path.hashCode(), w)).message(1, node(path + "/MatMul", "MatMul", "x", "onnx::MatMul_" + path.hashCode()));
                g.message(5, initializer(prefix + linear + ".bias", p.get(prefix + linear + ".bias"))).message(1, node(path + "/Add", "Add", prefix + linear + ".bias", "mm"));
            }
            String self = "/encoder/layer." + l + "/attention/self/";
            long[] shape = {1, 5, c.numAttentionHeads(), c.headDim()};
            if (fused) {
                g.message(5, new Proto().packed(1, 4L).varint(2, OnnxTensor.INT64).string(8, "shape" + l).packed(7, shape));
                g.message(1, node(self + "Reshape", "Reshape", "q", "shape" + l));
            } else {
                g.message(1, node(self + "Reshape", "Reshape", "q", "concat" + l));
                g.message(1, new Proto().string(3, self + "Concat").string(4, "Concat").string(1, "b").string(1, "t")
                        .string(1, "heads" + l).string(1, "dh" + l).string(2, "concat" + l));
                g.message(1, constant("heads" + l, c.numAttentionHeads())).message(1, constant("dh" + l, c.headDim()));
            }
            String act = "/encoder/layer." + l + "/intermediate/intermediate_act_fn/";
            g.message(1, fused ? node(act + "Gelu", "Gelu", "h").message(5, new Proto().string(1, "approximate").string(4, "tanh"))
                    : node(act + "Erf", "Erf", "h"));
            layerNorm(g, p, prefix + "attention.output.LayerNorm", c.layerNormEps(), fused);
            layerNorm(g, p, prefix + "output.LayerNorm", c.layerNormEps(), fused);
        }
        return new Proto().varint(1, 8).message(7, g).build();
    }

    private static void layerNorm(Proto g, Map<String, Tensor> p, String module, double eps, boolean fused) {
        String path = "/" + module.replace('.', '/').replaceAll("layer/(\\d+)", "layer.$1") + "/";
        g.message(5, initializer(module + ".weight", p.get(module + ".weight"))).message(5, initializer(module + ".bias", p.get(module + ".bias")));
        if (fused) {
            g.message(1, node(path + "LayerNormalization", "LayerNormalization", "x", module + ".weight", module + ".bias")
                    .message(5, new Proto().string(1, "epsilon").fixed32(2, (float) eps)));
            return;
        }
        g.message(1, new Proto().string(3, path + "Constant_1").string(4, "Constant").string(2, path + "eps")
                .message(5, new Proto().string(1, "value").message(5, new Proto().varint(2, OnnxTensor.FLOAT).bytes(9, floats((float) eps)))));
        g.message(1, node(path + "Add", "Add", "var", path + "eps"));
        g.message(1, node(path + "Mul", "Mul", "xhat", module + ".weight"));
        g.message(1, node(path + "Add_1", "Add", "scaled", module + ".bias"));
    }

    /** A NodeProto: name, op_type, inputs, and one output named after the node. */
    public static Proto node(String name, String op, String... inputs) {
        Proto n = new Proto().string(3, name).string(4, op).string(2, name + "_output_0");
        for (String in : inputs) n.string(1, in);
        return n;
    }

    private static Proto constant(String output, long value) {
        return new Proto().string(3, "/" + output).string(4, "Constant").string(2, output)
                .message(5, new Proto().string(1, "value").message(5, new Proto().packed(1, 1L).varint(2, OnnxTensor.INT64).packed(7, value)));
    }

    private static Proto initializer(String name, Tensor t) {
        return initializer(name, java.util.Arrays.stream(t.shape().dims()).asLongStream().toArray(), floats(t.toFloatArray()));
    }

    /** A FLOAT TensorProto of these dims and raw_data (not checked against each other). */
    public static Proto initializer(String name, long[] dims, byte[] raw) {
        Proto p = new Proto();
        for (long d : dims) p.varint(1, d);
        return p.varint(2, OnnxTensor.FLOAT).string(8, name).bytes(9, raw);
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }
}
