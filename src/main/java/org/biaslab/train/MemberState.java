package org.biaslab.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;

/**
 * Moves named state between an ensemble (member axis first) and its members (plain PyTorch shapes). Scalars such
 * as a step count are shared by all members.
 */
public final class MemberState {
    private MemberState() {}

    /** Member e's tensors from an ensemble of {@code members} (with one member, the map itself). */
    public static Map<String, Tensor> member(Map<String, Tensor> ensemble, int members, int e) {
        if (members == 1) return ensemble;
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var off = GradMode.off()) {
            for (var entry : ensemble.entrySet()) {
                Tensor t = entry.getValue();
                if (t.shape().rank() == 0) {
                    out.put(entry.getKey(), t);
                    continue;
                }
                int[] dims = t.shape().dims();
                out.put(entry.getKey(), t.slice(0, e, e + 1).reshape(java.util.Arrays.copyOfRange(dims, 1, dims.length)));
            }
        }
        return out;
    }

    /** The ensemble state stacking the members' maps (all with the same names and shapes). */
    public static Map<String, Tensor> stack(List<Map<String, Tensor>> members) {
        if (members.size() == 1) return members.get(0);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var off = GradMode.off()) {
            for (String name : members.get(0).keySet()) {
                Tensor first = members.get(0).get(name);
                if (first.shape().rank() == 0) {
                    out.put(name, first);
                    continue;
                }
                Tensor[] parts = new Tensor[members.size()];
                for (int e = 0; e < parts.length; e++) {
                    parts[e] = members.get(e).get(name);
                    if (parts[e] == null) throw new IllegalArgumentException("checkpoint of member " + e + " lacks '" + name + "'");
                }
                out.put(name, Tensor.stack(0, parts));
            }
        }
        return out;
    }
}
