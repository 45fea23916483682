package org.biaslab.probe.interpret;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * TransformerLens's {@code run_with_cache(names_filter=…)}: one forward pass of a pretrained model, every hook point
 * whose name matches a glob (docs/hooks.md: {@code *} one name segment, {@code **} any number) recorded.
 */
public final class ActivationCache {
    private ActivationCache() {}

    /**
     * Point name → the tensor it saw (the last one where a point runs more than once), in call order. No point
     * matching {@code glob} is an error that names some points there are.
     */
    public static Map<String, Tensor> run(PretrainedModel m, PretrainedModel.Input input, String glob) {
        Map<String, Tensor> cache = new LinkedHashMap<>();
        try (var noTape = GradMode.off(); Hooks.Capture c = m.module().hooks().capture(glob)) {
            m.hiddenStates(input);
            c.values().forEach((name, v) -> cache.put(name, v.getLast()));
        }
        if (cache.isEmpty()) throw new IllegalArgumentException("no hook point matches '" + glob + "'; points there are: " + examples(m, input));
        return cache;
    }

    /** The model's point names with layer indices as {@code *}, the first 40, for an error message. */
    private static String examples(PretrainedModel m, PretrainedModel.Input input) {
        try (var noTape = GradMode.off(); Hooks.Capture c = m.module().hooks().capture("**")) {
            m.hiddenStates(input);
            List<String> kinds = c.values().keySet().stream().map(n -> n.replaceAll("\\.\\d+(?=\\.)", ".*")).distinct().toList();
            return String.join(", ", kinds.subList(0, Math.min(40, kinds.size()))) + (kinds.size() > 40 ? " and " + (kinds.size() - 40) + " more" : "");
        }
    }
}
