package org.biaslab.nn.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.nn.Activation;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapping from graph to BERT on graphs written here from a known model, in the two ways exporters write them
 * (decomposed LayerNorm with Erf, Reshape shapes from Concat; fused LayerNormalization and Gelu, constant shapes);
 * and bad ONNX input: one line naming the file and the problem.
 */
class BertOnnxTest {
    @TempDir
    Path dir;

    static final BertConfig SMALL = new BertConfig(50, 16, 2, 4, 32, Activation.GELU_TANH, 12, 2, 1e-7, 0.02, 0);

    @Test
    void exportedGraphsMapBackOntoTheModel() throws IOException {
        BertModel m = BertModel.initialised(SMALL, DType.F32, 5);
        for (boolean fused : new boolean[] {false, true}) {
            BertConfig c = fused ? SMALL : new BertConfig(50, 16, 2, 4, 32, Activation.GELU, 12, 2, 1e-12, 0.02, 0);
            Path file = Files.write(dir.resolve("bert.onnx"), TinyBertOnnx.export(m, c, fused));
            BertModel back = BertOnnx.load(file, DType.F32);
            assertEquals(c, back.config(), fused ? "fused" : "decomposed");
            Map<String, Tensor> expected = m.namedParameters();
            assertEquals(expected.keySet(), back.namedParameters().keySet());
            back.namedParameters().forEach((name, t) -> assertArrayEquals(expected.get(name).toFloatArray(), t.toFloatArray(), name));
        }
    }

    @Test
    void aTruncatedModelIsNamed() throws IOException {
        Path whole = LangChain4jModels.extracted("all-minilm-l6-v2.onnx").onnx();
        Path cut = dir.resolve("cut.onnx");
        try (InputStream in = Files.newInputStream(whole)) {
            Files.write(cut, in.readNBytes(1 << 20));
        }
        FormatException e = assertThrows(FormatException.class, () -> BertOnnx.load(cut, DType.F32));
        assertTrue(e.getMessage().startsWith(cut + ": not an ONNX model, or a truncated or corrupt one (protobuf: "), e.getMessage());
    }

    @Test
    void aGraphWithoutBertWeightsIsNamed() throws IOException {
        // ModelProto{graph: GraphProto{node: NodeProto{op_type: "Relu"}}}
        Path relu = Files.write(dir.resolve("relu.onnx"), new byte[] {0x3a, 0x08, 0x0a, 0x06, 0x22, 0x04, 'R', 'e', 'l', 'u'});
        FormatException e = assertThrows(FormatException.class, () -> BertOnnx.load(relu, DType.F32));
        assertTrue(e.getMessage().equals(relu + ": not a BERT graph biaslab can map: no weight plays 'embeddings.word_embeddings.weight'"), e.getMessage());
    }
}
