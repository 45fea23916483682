package org.biaslab.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.biaslab.data.Corpus;
import org.biaslab.io.FormatException;
import org.biaslab.io.TensorFile;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.bert.BertOnnx;
import org.biaslab.tensor.DType;
import org.biaslab.train.RunConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader defects of issue #17, each from its minimal reproducer in the fuzz corpus ({@link FuzzCorpus},
 * {@code repro-<item>-*}): the exact one-line error, naming the file, the field or tensor, and the problem.
 */
class LoaderDefectsTest {
    @TempDir
    Path dir;

    private byte[] repro(Loader loader, String name) {
        return FuzzCorpus.files(loader).get(name);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    /** A HuggingFace directory from a framed reproducer: its config.json and model.safetensors. */
    private Path huggingFace(String name) throws Exception {
        byte[][] parts = Loader.unframe(repro(Loader.HUGGING_FACE, name));
        write(HuggingFace.CONFIG, parts[0]);
        write("model.safetensors", parts[1]);
        return dir;
    }

    private static void assertRefused(String expected, Class<? extends Exception> type, Executable load) {
        assertEquals(expected, assertThrows(type, load).getMessage());
    }

    @Test
    void item1TensorFileRefusesShapesAndValuesOutsideInt32() throws Exception {
        Path f = write("a.safetensors", repro(Loader.SAFETENSORS, "repro-1-dimension-above-int32"));
        assertRefused(f + ": tensor 'x': shape [3000000000, 0] has dimension 3000000000, outside 0..2^31-1", FormatException.class,
                () -> TensorFile.load(f));
        Path g = write("b.safetensors", repro(Loader.SAFETENSORS, "repro-1-i64-above-int32"));
        assertRefused(g + ": tensor 'x' holds 1099511627776 at index 0, outside int32", FormatException.class, () -> TensorFile.load(g));
    }

    @Test
    void item2OnnxReshapeWithOneInputAndHugeDimsAreNamed() throws Exception {
        Path f = write("a.onnx", repro(Loader.ONNX, "repro-2-reshape-one-input"));
        assertRefused(f + ": not a BERT graph biaslab can map: Reshape node '/encoder/layer.0/attention/self/Reshape' has inputs [q_out];"
                + " it needs two, the data and the shape", FormatException.class, () -> BertOnnx.load(f, DType.F32));
        Path g = write("b.onnx", repro(Loader.ONNX, "repro-2-dimension-above-int32"));
        assertRefused(g + ": tensor 'w': shape [3000000000, 0] has dimension 3000000000, outside 0..2^31-1", FormatException.class,
                () -> BertOnnx.load(g, DType.F32));
    }

    @Test
    void item3InvalidUtf8SaysWhere() throws Exception {
        Path hf = huggingFace("repro-3-invalid-utf8");
        assertRefused(hf.resolve(HuggingFace.CONFIG) + ": not valid UTF-8 text: byte 0xe9 at offset 41 (line 1)", FormatException.class,
                () -> HuggingFace.load(hf));
        Path corpus = write("corpus.txt", repro(Loader.CORPUS, "repro-3-invalid-utf8"));
        assertRefused(corpus + ": not valid UTF-8 text: byte 0xff at offset 12 (line 2)", FormatException.class, () -> Corpus.readLines(corpus));
    }

    /** Absurd sizes are refused before the model is built: each of these took minutes or ran out of memory. */
    @Test
    void item4ConfigSizesAreCheckedAgainstTheCheckpointFirst() throws Exception {
        Path config = dir.resolve(HuggingFace.CONFIG);
        Path hf = huggingFace("repro-4-layers");
        assertRefused(config + ": field 'num_hidden_layers' = 1000000, but the checkpoint holds 1 (encoder.layer.N for N in [0])",
                FormatException.class, () -> HuggingFace.load(hf));
        huggingFace("repro-4-hidden-size");
        assertRefused(config + ": the model it configures does not fit the checkpoint: the model has more parameters than the"
                + " checkpoint's 244 values", FormatException.class, () -> HuggingFace.load(hf));
        huggingFace("repro-4-image-size");
        assertRefused(config + ": field 'image_size' = 1000000000 with patch_size = 2 gives 250000000000000000 patches, more than 2^31-2",
                FormatException.class, () -> HuggingFace.load(hf));
        huggingFace("repro-4-d-kv");
        assertRefused(config + ": field 'd_kv' = 1000000000 times num_heads = 8 exceeds 2^31-1", FormatException.class, () -> HuggingFace.load(hf));
    }

    @Test
    void item5EpsAndDuplicateKeysAreRefused() throws Exception {
        Path fused = write("fused.onnx", repro(Loader.ONNX, "repro-5-eps-nan"));
        assertRefused(fused + ": not a BERT graph biaslab can map: LayerNorm eps NaN in node '/embeddings/LayerNorm/LayerNormalization'"
                + " is not a finite number >= 0", FormatException.class, () -> BertOnnx.load(fused, DType.F32));
        Path decomposed = write("decomposed.onnx", repro(Loader.ONNX, "repro-5-eps-negative"));
        assertRefused(decomposed + ": not a BERT graph biaslab can map: LayerNorm eps -1.0E-12 in node '/embeddings/LayerNorm/Add'"
                + " is not a finite number >= 0", FormatException.class, () -> BertOnnx.load(decomposed, DType.F32));
        Path config = dir.resolve(HuggingFace.CONFIG);
        Path hf = huggingFace("repro-5-eps-negative");
        assertRefused(config + ": field 'layer_norm_eps' must be a finite number >= 0, got -1.0E-12", FormatException.class, () -> HuggingFace.load(hf));
        huggingFace("repro-5-duplicate-key");
        assertRefused(config + ": not valid JSON: Duplicate field 'hidden_size' (line 1, column 72)", FormatException.class, () -> HuggingFace.load(hf));
        Path run = write("run.json", repro(Loader.RUN_CONFIG, "repro-5-duplicate-key"));
        assertRefused(run + ": not valid JSON: Duplicate field 'n' (line 1, column 31)", FormatException.class, () -> RunConfig.read(run));
    }

    @Test
    void item6ARunConfigThatIsNoObjectIsNamed() throws Exception {
        Path config = write("config.json", repro(Loader.RUN_CONFIG, "repro-6-array"));
        assertRefused(config + ": holds an array; expected an object of fields", FormatException.class, () -> RunConfig.load(config));
        write("config.json", repro(Loader.RUN_CONFIG, "repro-6-empty"));
        assertRefused(config + ": is empty; expected an object of fields", FormatException.class, () -> RunConfig.load(config));
    }

    @Test
    void item7YamlErrorsAreOneLineWithTheirLocation() throws Exception {
        Path yaml = write("run.yaml", repro(Loader.RUN_CONFIG, "repro-7-yaml-location"));
        assertRefused(yaml + ": not valid YAML: while parsing a flow sequence: expected ',' or ']', but got <stream end> (line 3, column 1)",
                FormatException.class, () -> RunConfig.read(yaml));
    }
}
