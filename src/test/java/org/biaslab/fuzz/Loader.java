package org.biaslab.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.biaslab.boolfn.TruthTableFile;
import org.biaslab.data.Corpus;
import org.biaslab.data.Idx;
import org.biaslab.fuzz.Outcomes.Outcome;
import org.biaslab.io.TensorFile;
import org.biaslab.io.tf.TfCheckpoint;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.bert.BertOnnx;
import org.biaslab.nn.bert.BertTf;
import org.biaslab.tensor.DType;
import org.biaslab.train.RunConfig;

/**
 * The loaders under fuzzing, each a function of one input's bytes: it writes them as the file (or files) the loader
 * reads, in a scratch directory, and classifies each loader call with {@link Outcomes}. Inputs that stand for two
 * files (a HuggingFace directory, a TensorFlow checkpoint) are framed: a big-endian 16-bit length, that many bytes
 * of the first file, the rest the second ({@link #frame}).
 */
enum Loader {
    /** A safetensors file, every tensor converted ({@link TensorFile#load}). */
    SAFETENSORS {
        @Override
        List<Outcome> load(byte[] input, Path dir) throws Exception {
            Path file = write(dir.resolve("model.safetensors"), input);
            return List.of(Outcomes.of("safetensors", dir, () -> TensorFile.load(file)));
        }
    },
    /** An ONNX file mapped onto BERT ({@link BertOnnx}). */
    ONNX {
        @Override
        List<Outcome> load(byte[] input, Path dir) throws Exception {
            Path file = write(dir.resolve("model.onnx"), input);
            return List.of(Outcomes.of("onnx", dir, () -> BertOnnx.load(file, DType.F32)));
        }
    },
    /** A HuggingFace directory: config.json, then model.safetensors ({@link HuggingFace#load}). */
    HUGGING_FACE {
        @Override
        List<Outcome> load(byte[] input, Path dir) throws Exception {
            byte[][] parts = unframe(input);
            Path hf = Files.createDirectories(dir.resolve("hf"));
            write(hf.resolve(HuggingFace.CONFIG), parts[0]);
            write(hf.resolve("model.safetensors"), parts[1]);
            return List.of(Outcomes.of("huggingface", dir, () -> HuggingFace.load(hf)));
        }
    },
    /**
     * A TensorFlow checkpoint: the index, then its one data shard; every tensor read ({@link TfCheckpoint}), then the
     * whole mapped onto BERT ({@link BertTf}) with a fixed {@code bert_config.json} beside it.
     */
    TF_CHECKPOINT {
        @Override
        List<Outcome> load(byte[] input, Path dir) throws Exception {
            byte[][] parts = unframe(input);
            Path tf = Files.createDirectories(dir.resolve("tf"));
            if (!Files.exists(tf.resolve("bert_config.json"))) Files.writeString(tf.resolve("bert_config.json"), TF_BERT_CONFIG);
            Path index = write(tf.resolve("model.index"), parts[0]);
            write(tf.resolve("model.data-00000-of-00001"), parts[1]);
            Outcome reader = Outcomes.of("tf checkpoint", dir, () -> {
                try (TfCheckpoint c = TfCheckpoint.open(index)) {
                    for (String name : c.entries().keySet()) c.tensor(name);
                }
            });
            return List.of(reader, Outcomes.of("tf bert", dir, () -> BertTf.load(index)));
        }
    },
    /** An IDX file read as images and as labels ({@link Idx}). */
    IDX {
        @Override
        List<Outcome> load(byte[] input, Path dir) throws Exception {
            Path file = write(dir.resolve("data.idx"), input);
            Outcome images = Outcomes.of("idx images", dir, () -> Idx.readImages(file));
            return List.of(images, Outcomes.of("idx labels", dir, () -> Idx.readLabels(file)));
        }
    },
    /** A text corpus ({@link Corpus#readLines}). */
    CORPUS {
        @Override
        List<Outcome> load(byte[] input, Path dir) throws Exception {
            Path file = write(dir.resolve("corpus.txt"), input);
            return List.of(Outcomes.of("corpus", dir, () -> Corpus.readLines(file)));
        }
    },
    /** A truth-table file, .npy or text ({@link TruthTableFile}). */
    TRUTH_TABLE {
        @Override
        List<Outcome> load(byte[] input, Path dir) throws Exception {
            Path file = write(dir.resolve("table"), input);
            return List.of(Outcomes.of("truth table", dir, () -> TruthTableFile.read(file)));
        }
    },
    /** A run config as YAML and as JSON ({@link RunConfig#read}), and as a run directory's config.json ({@link RunConfig#load}). */
    RUN_CONFIG {
        @Override
        List<Outcome> load(byte[] input, Path dir) throws Exception {
            Path yaml = write(dir.resolve("run.yaml"), input), json = write(dir.resolve("run.json"), input);
            Path run = write(Files.createDirectories(dir.resolve("run")).resolve("config.json"), input);
            Outcome fromYaml = Outcomes.of("run config yaml", dir, () -> RunConfig.read(yaml));
            Outcome fromJson = Outcomes.of("run config json", dir, () -> RunConfig.read(json));
            return List.of(fromYaml, fromJson, Outcomes.of("run dir config", dir, () -> RunConfig.load(run)));
        }
    };

    /** The {@code bert_config.json} beside the fuzzed TensorFlow checkpoints (their seeds have d = 4 and 2 heads). */
    static final String TF_BERT_CONFIG = "{\"num_attention_heads\": 2, \"hidden_act\": \"gelu\"}";

    /** Writes {@code input} where the loader looks and calls it: the outcome of each call. */
    abstract List<Outcome> load(byte[] input, Path dir) throws Exception;

    /** The method name of this loader's fuzz test, and the folder of its corpus. */
    String test() {
        String[] words = name().toLowerCase(java.util.Locale.ROOT).split("_");
        StringBuilder s = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) s.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        return s.toString();
    }

    /** Two files as one input: a big-endian 16-bit length, the first file, the second. */
    static byte[] frame(byte[] first, byte[] second) {
        if (first.length > 0xffff) throw new IllegalArgumentException("the first file has " + first.length + " bytes, more than a frame holds");
        byte[] out = new byte[2 + first.length + second.length];
        out[0] = (byte) (first.length >>> 8);
        out[1] = (byte) first.length;
        System.arraycopy(first, 0, out, 2, first.length);
        System.arraycopy(second, 0, out, 2 + first.length, second.length);
        return out;
    }

    /** The two files of a framed input; a length beyond the input's end takes what there is. */
    static byte[][] unframe(byte[] input) {
        if (input.length < 2) return new byte[][] {input, new byte[0]};
        int n = Math.min(((input[0] & 0xff) << 8) | (input[1] & 0xff), input.length - 2);
        return new byte[][] {Arrays.copyOfRange(input, 2, 2 + n), Arrays.copyOfRange(input, 2 + n, input.length)};
    }

    /** A fresh file each time (a new inode), so that a mapping of the previous input is never truncated under it. */
    private static Path write(Path file, byte[] bytes) throws IOException {
        Files.deleteIfExists(file);
        return Files.write(file, bytes);
    }
}
