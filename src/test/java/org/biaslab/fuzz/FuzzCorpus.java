package org.biaslab.fuzz;

import static org.biaslab.nn.bert.TinyBertOnnx.initializer;
import static org.biaslab.nn.bert.TinyBertOnnx.node;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.biaslab.io.SafeTensorsWriter;
import org.biaslab.io.TensorFile;
import org.biaslab.io.hf.Gpt2Config;
import org.biaslab.io.hf.HfConfig;
import org.biaslab.io.hf.T5Config;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.io.onnx.Proto;
import org.biaslab.io.tf.BundleBytes;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.nn.bert.BertConfig;
import org.biaslab.nn.bert.BertForMaskedLm;
import org.biaslab.nn.bert.BertMlmHead;
import org.biaslab.nn.bert.BertModel;
import org.biaslab.nn.bert.TinyBertOnnx;
import org.biaslab.nn.bert.TinyBertTf;
import org.biaslab.nn.gpt2.Gpt2;
import org.biaslab.nn.t5.T5;
import org.biaslab.nn.vit.Vit;
import org.biaslab.tensor.DType;
import org.biaslab.train.RunConfig;

/**
 * The committed corpus of each fuzz test, generated here: seeds ({@code seed-*}, small valid files of every kind the
 * loader reads, from models of d = 4) and the minimal reproducers of the defects of issue #17 ({@code repro-<item>-*}).
 * Deterministic, so {@link FuzzCorpusTest} checks that the committed files are these bytes; findings of a campaign
 * ({@code crash-*}, {@code timeout-*}) are added beside them by Jazzer.
 */
final class FuzzCorpus {
    private FuzzCorpus() {}

    /** The folder of {@code loader}'s corpus, where Jazzer's regression mode finds it. */
    static Path folder(Loader loader) {
        return Path.of("src/test/resources/org/biaslab/fuzz/LoaderFuzzTestInputs", loader.test());
    }

    /** The generated files of {@code loader}'s corpus by name. */
    static Map<String, byte[]> files(Loader loader) {
        try {
            return switch (loader) {
                case SAFETENSORS -> safetensors();
                case ONNX -> onnx();
                case HUGGING_FACE -> huggingFace();
                case TF_CHECKPOINT -> tfCheckpoint();
                case IDX -> idx();
                case CORPUS -> Map.of(
                        "seed-wikitext", utf8(" = Valkyria Chronicles = \n\n Senjō no Valkyria 3 : <unk> Chronicles .\n the game 's  battle system\n"),
                        "repro-3-invalid-utf8", bytes("the cat sat\n", new byte[] {(byte) 0xff, (byte) 0xfe}, " on the mat\n"));
                case TRUTH_TABLE -> truthTable();
                case RUN_CONFIG -> Map.of(
                        "seed-json", utf8(RunConfig.defaults().toJson()),
                        "seed-yaml", utf8("task: majority\nn: 12\nmaxLen: 12\nsteps: 100\nlr: 1.0e-3\nschedule: warmup:10\n"),
                        "repro-5-duplicate-key", utf8("{\"task\": \"parity\", \"n\": 8, \"n\": 9}"),
                        "repro-6-array", utf8("[]"),
                        "repro-6-empty", new byte[0],
                        "repro-7-yaml-location", utf8("steps: [1,\n  d: 3\n"));
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, byte[]> safetensors() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("seed-dtypes", safetensors(new SafeTensorsWriter().metadata("format", "pt")
                .add("f32", new float[] {1, -2, 0.5f, 3, 4, 5}, 2, 3).add("f64", new double[] {Math.PI})
                .add("i32", new int[] {-1, 7}, 2).add("i64", new long[] {Integer.MAX_VALUE, -5}, 2).add("empty", new float[0], 0, 4)));
        try (Scratch s = new Scratch()) {
            TensorFile.save(s.file("ckpt.safetensors"), BertModel.initialised(BERT, DType.F32, 1).namedParameters(), Map.of("biaslab.step", "1"));
            out.put("seed-checkpoint", s.read("ckpt.safetensors"));
        }
        out.put("repro-1-dimension-above-int32", header("{\"x\":{\"dtype\":\"F32\",\"shape\":[3000000000,0],\"data_offsets\":[0,0]}}", new byte[0]));
        out.put("repro-1-i64-above-int32", header("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array()));
        return out;
    }

    private static byte[] safetensors(SafeTensorsWriter w) throws IOException {
        try (Scratch s = new Scratch()) {
            w.write(s.file("x.safetensors"));
            return s.read("x.safetensors");
        }
    }

    /** A safetensors file of this JSON header and data section. */
    static byte[] header(String json, byte[] data) {
        byte[] h = utf8(json);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).put(data).array();
    }

    /** BERT with d = 4, 2 heads, one layer, 8 tokens: the model of the ONNX and TensorFlow seeds. */
    static final BertConfig BERT = new BertConfig(8, 4, 1, 2, 8, Activation.GELU, 6, 2, 1e-12, 0.02, 0);

    private static Map<String, byte[]> onnx() {
        BertModel m = BertModel.initialised(BERT, DType.F32, 1);
        BertConfig tanh = new BertConfig(8, 4, 1, 2, 8, Activation.GELU_TANH, 6, 2, 1e-7, 0.02, 0);
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("seed-decomposed", TinyBertOnnx.export(m, BERT, false));
        out.put("seed-fused", TinyBertOnnx.export(m, tanh, true));
        // Reshape with one input: its shape input was read unchecked ("Index: 1 Size: 1")
        out.put("repro-2-reshape-one-input", new Proto().varint(1, 8).message(7, new Proto()
                .message(5, initializer("w", new long[] {8, 4}, new byte[4 * 32])).message(5, initializer("q", new long[] {4, 4}, new byte[4 * 16]))
                .message(1, node("/embeddings/word_embeddings/Gather", "Gather", "w", "ids"))
                .message(1, node("/encoder/layer.0/attention/self/query/MatMul", "MatMul", "x", "q"))
                .message(1, node("/encoder/layer.0/attention/self/Reshape", "Reshape", "q_out"))).build());
        // an initializer of 0 elements with a dimension above int32 (an ArithmeticException from the shape code)
        out.put("repro-2-dimension-above-int32", new Proto().varint(1, 8).message(7, new Proto()
                .message(5, initializer("w", new long[] {3_000_000_000L, 0}, new byte[0]))
                .message(1, node("/embeddings/word_embeddings/Gather", "Gather", "w", "ids"))).build());
        out.put("repro-5-eps-nan", TinyBertOnnx.export(m, new BertConfig(8, 4, 1, 2, 8, Activation.GELU_TANH, 6, 2, Double.NaN, 0.02, 0), true));
        out.put("repro-5-eps-negative", TinyBertOnnx.export(m, new BertConfig(8, 4, 1, 2, 8, Activation.GELU, 6, 2, -1e-12, 0.02, 0), false));
        return out;
    }

    private static final String BERT_JSON = "{\"model_type\": \"bert\", \"vocab_size\": 8, \"hidden_size\": 4, \"num_hidden_layers\": 1,"
            + " \"num_attention_heads\": 2, \"intermediate_size\": 8, \"max_position_embeddings\": 6, \"type_vocab_size\": 2,"
            + " \"hidden_act\": \"gelu\", \"layer_norm_eps\": 1e-12}";

    private static Map<String, byte[]> huggingFace() throws IOException {
        String gpt2 = "{\"model_type\": \"gpt2\", \"vocab_size\": 8, \"n_positions\": 6, \"n_embd\": 4, \"n_layer\": 1, \"n_head\": 2}";
        String vit = "{\"model_type\": \"vit\", \"hidden_size\": 4, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
                + " \"intermediate_size\": 8, \"image_size\": 4, \"patch_size\": 2, \"num_channels\": 1}";
        String t5 = "{\"model_type\": \"t5\", \"vocab_size\": 8, \"d_model\": 4, \"d_kv\": 2, \"d_ff\": 8, \"num_layers\": 1,"
                + " \"num_heads\": 2, \"relative_attention_num_buckets\": 4, \"relative_attention_max_distance\": 8}";
        byte[] bert = checkpoint(BertModel.initialised(BERT, DType.F32, 1));
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("seed-bert", Loader.frame(utf8(BERT_JSON), bert));
        Gpt2Config g = Gpt2Config.from(config(gpt2));
        out.put("seed-gpt2", Loader.frame(utf8(gpt2), checkpoint(Gpt2.random(g, Activation.parse(g.activation()), 1))));
        VitConfig v = VitConfig.from(config(vit));
        out.put("seed-vit", Loader.frame(utf8(vit), checkpoint(Vit.random(v, Activation.parse(v.hiddenAct()), 1))));
        T5Config t = T5Config.from(config(t5));
        out.put("seed-t5", Loader.frame(utf8(t5), checkpoint(T5.random(t, Activation.parse(t.denseActFn()), new T5.Parts(true, false), 1))));
        out.put("repro-3-invalid-utf8", Loader.frame(bytes("{\"model_type\": \"bert\", \"hidden_act\": \"gel", new byte[] {(byte) 0xe9}, "\"}"), bert));
        out.put("repro-4-layers", Loader.frame(utf8(BERT_JSON.replace("\"num_hidden_layers\": 1", "\"num_hidden_layers\": 1000000")), bert));
        out.put("repro-4-hidden-size", Loader.frame(utf8(BERT_JSON.replace("\"hidden_size\": 4", "\"hidden_size\": 32768")), bert));
        out.put("repro-4-image-size", Loader.frame(utf8(vit.replace("\"image_size\": 4", "\"image_size\": 1000000000")), new byte[0]));
        out.put("repro-4-d-kv", Loader.frame(utf8(t5.replace("\"d_kv\": 2", "\"d_kv\": 1000000000").replace("\"num_heads\": 2", "\"num_heads\": 8")), new byte[0]));
        out.put("repro-5-eps-negative", Loader.frame(utf8(BERT_JSON.replace("1e-12", "-1e-12")), bert));
        out.put("repro-5-duplicate-key", Loader.frame(utf8(BERT_JSON.replace("{", "{\"hidden_size\": 8, ")), bert));
        return out;
    }

    private static HfConfig config(String json) throws IOException {
        try (Scratch s = new Scratch()) {
            return HfConfig.read(Files.writeString(s.file("config.json"), json));
        }
    }

    private static byte[] checkpoint(Module m) throws IOException {
        try (Scratch s = new Scratch()) {
            TensorFile.save(s.file("model.safetensors"), m.namedParameters(), Map.of("format", "pt"));
            return s.read("model.safetensors");
        }
    }

    private static Map<String, byte[]> tfCheckpoint() throws IOException {
        try (Scratch s = new Scratch()) {
            BertModel bert = new BertModel(BERT, Init.f32(1));
            TinyBertTf.write(new BertForMaskedLm(bert, new BertMlmHead(BERT, Init.f32(2))), s.file("bert"), true, "");
            Map<String, BundleBytes.Spec> dtypes = new LinkedHashMap<>();
            dtypes.put("float", new BundleBytes.Spec(1, new long[] {2, 2}, BundleBytes.f32(1, 2, 3, 4), 0));
            dtypes.put("double", new BundleBytes.Spec(2, new long[] {}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).array(), 0));
            dtypes.put("int64", new BundleBytes.Spec(9, new long[] {1}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).array(), 0));
            dtypes.put("bool", new BundleBytes.Spec(10, new long[] {3}, new byte[] {0, 1, 1}, 0));
            dtypes.put("half", new BundleBytes.Spec(19, new long[] {2}, new byte[] {0, 0x3c, 0, (byte) 0xc0}, 0));
            BundleBytes.write(s.file("dtypes"), 1, dtypes);
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (String name : new String[] {"bert", "dtypes"}) {
                out.put("seed-" + name, Loader.frame(s.read(name + ".index"), s.read(name + ".data-00000-of-00001")));
            }
            return out;
        }
    }

    private static Map<String, byte[]> idx() throws IOException {
        byte[] images = idx(0x00000803, new int[] {2, 3, 2}, new byte[] {0, 10, 20, 30, 40, (byte) 255, 1, 2, 3, 4, 5, 6});
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("seed-images", images);
        out.put("seed-images-gzip", gzip(images));
        out.put("seed-labels", idx(0x00000801, new int[] {3}, new byte[] {7, 0, 9}));
        return out;
    }

    /** An IDX file: magic, big-endian sizes, then the data bytes. */
    private static byte[] idx(int magic, int[] sizes, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int s : sizes) out.writeInt(s);
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(b);
        }
        return bytes.toByteArray();
    }

    private static Map<String, byte[]> truthTable() throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("seed-text", utf8("# parity at n = 3\n0110 1001\n"));
        for (String npy : new String[] {"dtype-b1", "dtype-u1", "dtype-i4-be", "dtype-f8"}) {
            out.put("seed-" + npy, Files.readAllBytes(Path.of("src/test/resources/boolfn", npy + ".npy")));
        }
        return out;
    }

    /** A temporary directory for files written to be read back, removed on close. */
    private record Scratch(Path dir) implements AutoCloseable {
        Scratch() throws IOException {
            this(Files.createTempDirectory("biaslab-corpus"));
        }

        Path file(String name) {
            return dir.resolve(name);
        }

        byte[] read(String name) throws IOException {
            return Files.readAllBytes(dir.resolve(name));
        }

        @Override
        public void close() throws IOException {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** UTF-8 text with raw bytes between. */
    private static byte[] bytes(String before, byte[] raw, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(before));
        out.writeBytes(raw);
        out.writeBytes(utf8(after));
        return out.toByteArray();
    }
}
