package org.biaslab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.biaslab.experiment.p1.LengthScaling;
import org.biaslab.experiment.p1.Tradeoff;
import org.biaslab.io.Json;
import org.biaslab.train.RunConfig;

/**
 * P1's grids as W&B sweep files ({@code reproduce p1 --print-sweep}): E1's sweeps as grids with exactly the runs
 * {@code reproduce} trains, measured for blowup, norm and sharpness (not the Hessian); E2's random searches with
 * the same distributions, whose draws differ from {@code reproduce}'s own.
 */
final class P1Sweeps {
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();

    private P1Sweeps() {}

    /** E1's sweep {@code s} as a grid over n, task and seed (in {@code reproduce}'s order) on its base config. */
    static ObjectNode e1(LengthScaling.Sweep s, String suffix) {
        ObjectNode tree = head("p1-e1-" + s.name() + suffix, "grid");
        ObjectNode p = tree.putObject("parameters");
        p.putObject("n").set("values", Json.MAPPER.valueToTree(s.lengths()));
        p.putObject("task").set("values", Json.MAPPER.valueToTree(s.functions()));
        p.putObject("seed").set("values", Json.MAPPER.valueToTree(s.seeds()));
        constants(p, s.base(), List.of("task", "n", "seed", "restrictedSeed"));
        tree.putObject("measure").put("batches", s.batches()).put("batch", s.batch()).put("sharpness", true);
        return tree;
    }

    /** E2's search {@code k} of {@code t} as a random sweep: function and length uniform from the lists, seed, lr and weight decay uniform. */
    static ObjectNode e2(Tradeoff t, int k, String suffix) {
        Tradeoff.Sweep s = t.sweeps().get(k);
        ObjectNode tree = head("p1-e2-" + s.name() + suffix, "random");
        tree.put("count", s.runs()).put("seed", t.searchSeed() * 1_000_003L + k);
        ObjectNode p = tree.putObject("parameters");
        p.putObject("task").set("values", Json.MAPPER.valueToTree(s.functions()));
        p.putObject("n").set("values", Json.MAPPER.valueToTree(s.lengths()));
        p.putObject("seed").put("distribution", "int_uniform").put("min", s.seedMin()).put("max", s.seedMax());
        p.putObject("weightDecay").put("distribution", "uniform").put("min", t.weightDecay().min()).put("max", t.weightDecay().max());
        p.putObject("lr").put("distribution", "uniform").put("min", t.lr().min()).put("max", t.lr().max());
        constants(p, t.base(), List.of("task", "n", "seed", "restrictedSeed", "weightDecay", "lr"));
        tree.putObject("measure").put("batches", t.batches()).put("batch", t.batch()).put("sharpness", false);
        return tree;
    }

    private static ObjectNode head(String name, String method) {
        ObjectNode tree = Json.MAPPER.createObjectNode();
        tree.put("name", name).put("method", method);
        return tree;
    }

    /** The fields of {@code base} that differ from the defaults, as {@code value:} parameters, but those of {@code swept}. */
    private static void constants(ObjectNode p, RunConfig base, List<String> swept) {
        ObjectNode b = Json.MAPPER.valueToTree(base), d = Json.MAPPER.valueToTree(RunConfig.defaults());
        for (Map.Entry<String, JsonNode> e : b.properties()) {
            if (!swept.contains(e.getKey()) && !e.getValue().equals(d.get(e.getKey()))) p.putObject(e.getKey()).set("value", e.getValue());
        }
    }

    /** The sweeps of the experiments chosen (e1, e1-short, e1-long, e2) as YAML documents. */
    static String yaml(boolean quick, List<String> experiments) throws Exception {
        String suffix = quick ? "-quick" : "";
        List<ObjectNode> out = new ArrayList<>();
        for (LengthScaling.Sweep s : (quick ? LengthScaling.quick() : LengthScaling.full()).sweeps()) {
            if (experiments.contains("e1") || experiments.contains("e1-" + s.name())) out.add(e1(s, suffix));
        }
        Tradeoff t = quick ? Tradeoff.quick() : Tradeoff.full();
        if (experiments.contains("e2")) for (int k = 0; k < t.sweeps().size(); k++) out.add(e2(t, k, suffix));
        StringBuilder text = new StringBuilder();
        for (ObjectNode tree : out) text.append(YAML.writeValueAsString(tree));
        return text.toString();
    }
}
