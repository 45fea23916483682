package org.biaslab.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.io.FormatException;
import org.biaslab.io.hf.HfConfig;
import org.biaslab.nn.gpt2.Gpt2;
import org.biaslab.nn.t5.T5;
import org.biaslab.nn.vit.Vit;
import org.biaslab.tensor.Shape;

/** Loading HuggingFace checkpoint directories (config.json + safetensors) into biaslab's modules. */
public final class HuggingFace {
    private HuggingFace() {}

    /** The config file of a checkpoint directory. */
    public static final String CONFIG = "config.json";

    /** Loads the model in {@code dir}, chosen by its config's {@code model_type}: "gpt2", "vit" or "t5". */
    public static PretrainedModel load(Path dir) throws IOException {
        HfConfig config = HfConfig.read(dir.resolve(CONFIG));
        return switch (config.modelType()) {
            case "gpt2" -> Gpt2.load(dir);
            case "vit" -> Vit.load(dir);
            case "t5" -> T5.load(dir);
            default -> throw config.error("model_type", "is \"" + config.modelType() + "\"; biaslab loads gpt2, vit and t5 from safetensors");
        };
    }

    /** The parameter shapes of {@code m} by name: what a checkpoint must provide. */
    public static Map<String, Shape> shapes(Module m) {
        Map<String, Shape> out = new LinkedHashMap<>();
        m.namedParameters().forEach((n, t) -> out.put(n, t.shape()));
        return out;
    }

    /** The activation named by config field {@code field}; an unknown name is an error naming the file and field. */
    public static Activation activation(HfConfig config, String field, String name) throws FormatException {
        try {
            return Activation.parse(name);
        } catch (IllegalArgumentException e) {
            throw config.error(field, "= \"" + name + "\" is not a supported activation (relu, gelu, gelu_new, silu)");
        }
    }
}
