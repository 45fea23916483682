package org.biaslab.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.experiment.p3.LmRunConfig;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Precision;
import picocli.CommandLine.Option;

/** The data, model and optimiser options that {@code lm train} and {@code lm grid} share. */
final class LmOptions {
    @Option(names = "--corpus", required = true, description = "training text, one sequence per line (blank and '=' lines skipped)")
    Path corpus;
    @Option(names = "--dev", description = "dev text (default: --dev-fraction of the corpus)") Path dev;
    @Option(names = "--dev-fraction", description = "share of the corpus held out (default 0.1)") Double devFraction;
    @Option(names = "--tokenizer", description = "whitespace (the reference's), words or chars") String tokenizer;
    @Option(names = "--vocab-cap", description = "most frequent tokens kept, the rest <unk> (default 10000; 0: all)") Integer vocabCap;
    @Option(names = "--max-len", description = "tokens per sequence, <eos> included (default 128)") Integer maxLen;
    @Option(names = "--max-train", description = "use the first N training sequences (0: all)") Integer maxTrain;
    @Option(names = "--max-dev", description = "use the first N dev sequences (0: all)") Integer maxDev;
    @Option(names = "--preset", description = "tiny, small or reference (default tiny)") String preset;
    @Option(names = "--variant", description = "control (Post-LN), pre_norm (LN(f(x)) + x) or pre_ln (x + f(LN(x)))") String variant;
    @Option(names = "--layers") Integer layers;
    @Option(names = "--d", description = "model width") Integer d;
    @Option(names = "--heads") Integer heads;
    @Option(names = "--ffn", description = "feed-forward width d_ff") Integer ffn;
    @Option(names = "--no-bias", description = "Linear layers without biases") boolean noBias;
    @Option(names = "--batch", description = "default 16") Integer batch;
    @Option(names = "--seeds", split = ",", description = "initialisation seeds, trained together as one ensemble (default 0)") List<Long> seeds;
    @Option(names = "--data-seed", description = "seed of the epoch shuffles") Long dataSeed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--tf32", description = "on the GPU, the training steps' GEMMs on TF32 tensor cores; evaluation and measurements stay exact float32 (default: exact)")
    boolean tf32;

    /** The device of --device, with the training steps' precision of --tf32 set. */
    Device device() {
        Precision.setTrainingTf32(tf32);
        return Device.parse(device);
    }

    /** The defaults with the given options. */
    LmRunConfig config(Map<String, Object> more) {
        Map<String, Object> o = new LinkedHashMap<>();
        put(o, "dev", dev == null ? null : dev.toString());
        put(o, "devFraction", devFraction);
        put(o, "tokenizer", tokenizer);
        put(o, "vocabCap", vocabCap);
        put(o, "maxLen", maxLen);
        put(o, "maxTrain", maxTrain);
        put(o, "maxDev", maxDev);
        put(o, "preset", preset);
        put(o, "variant", variant);
        put(o, "layers", layers);
        put(o, "d", d);
        put(o, "heads", heads);
        put(o, "ffn", ffn);
        if (noBias) o.put("bias", false);
        put(o, "batch", batch);
        put(o, "seeds", seeds);
        put(o, "dataSeed", dataSeed);
        more.forEach((k, v) -> put(o, k, v));
        return LmRunConfig.defaults(corpus.toString()).with(o);
    }

    private static void put(Map<String, Object> o, String key, Object value) {
        if (value != null) o.put(key, value);
    }
}
