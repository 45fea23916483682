package org.biaslab.nn.bert;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.biaslab.io.FormatException;
import org.biaslab.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad ONNX input to the BERT loader: one line naming the file and the problem. */
class BertOnnxTest {
    @TempDir
    Path dir;

    @Test
    void aTruncatedModelIsNamed() throws IOException {
        Path whole = LangChain4jModels.extracted("all-minilm-l6-v2.onnx").onnx();
        Path cut = dir.resolve("cut.onnx");
        try (InputStream in = Files.newInputStream(whole)) {
            Files.write(cut, in.readNBytes(1 << 20));
        }
        FormatException e = assertThrows(FormatException.class, () -> BertOnnx.load(cut, DType.F32));
        assertTrue(e.getMessage().startsWith(cut + ": truncated or corrupt protobuf"), e.getMessage());
    }

    @Test
    void aGraphWithoutBertWeightsIsNamed() throws IOException {
        // ModelProto{graph: GraphProto{node: NodeProto{op_type: "Relu"}}}
        Path relu = Files.write(dir.resolve("relu.onnx"), new byte[] {0x3a, 0x08, 0x0a, 0x06, 0x22, 0x04, 'R', 'e', 'l', 'u'});
        FormatException e = assertThrows(FormatException.class, () -> BertOnnx.load(relu, DType.F32));
        assertTrue(e.getMessage().equals(relu + ": not a BERT graph biaslab can map: no weight plays 'embeddings.word_embeddings.weight'"), e.getMessage());
    }
}
