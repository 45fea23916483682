package org.biaslab.probe.curvature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.biaslab.nn.Hooks;
import org.biaslab.nn.Module;
import org.biaslab.tensor.Tensor;

/**
 * Parameters of a model chosen by name, and flat vectors over them: member e's vector is the concatenation of its
 * slices of the chosen parameters (an ensemble's parameters carry the member axis first) in
 * {@code namedParameters()} order. Parameters are looked up by name at every use, so the group follows a model
 * whose tensors a checkpoint replaced.
 */
public final class ParameterGroup {
    private final Module model;
    private final List<String> names;
    private final int dim;

    private ParameterGroup(Module model, List<String> names) {
        this.model = model;
        this.names = List.copyOf(names);
        long n = 0;
        Map<String, Tensor> all = model.namedParameters();
        for (String name : names) n += all.get(name).size() / model.members();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("parameter group of " + n + " values per member is too large");
        this.dim = (int) n;
    }

    /**
     * The parameters whose full name matches {@code glob} (comma-separated globs: any one) and does not contain a
     * match of the regular expression {@code exclude} (blank: none). In a glob {@code *} stands for any characters
     * within one dotted part of the name, {@code **} for any characters including dots, {@code ?} for one character
     * other than a dot: {@code encoders.layers.1.**}, {@code **.norm?.*}, {@code **} for all.
     */
    public static ParameterGroup select(Module model, String glob, String exclude) {
        Predicate<String> in = glob(glob), out = excludes(exclude);
        List<String> names = new ArrayList<>();
        for (String name : model.namedParameters().keySet()) if (in.test(name) && !out.test(name)) names.add(name);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no parameter matches '" + glob + "'" + (exclude == null || exclude.isBlank() ? "" : " outside /" + exclude + "/")
                    + "; the model has " + String.join(", ", model.namedParameters().keySet()));
        }
        return new ParameterGroup(model, names);
    }

    /**
     * The selection split by layer, in order: a parameter belongs to the name up to its first numbered part
     * ({@code encoders.layers.1}), or else to its module ({@code linear_head}, {@code embedding}).
     */
    public static LinkedHashMap<String, ParameterGroup> layers(Module model, String glob, String exclude) {
        LinkedHashMap<String, List<String>> byLayer = new LinkedHashMap<>();
        for (String name : select(model, glob, exclude).names) byLayer.computeIfAbsent(layerOf(name), k -> new ArrayList<>()).add(name);
        LinkedHashMap<String, ParameterGroup> out = new LinkedHashMap<>();
        byLayer.forEach((layer, names) -> out.put(layer, new ParameterGroup(model, names)));
        return out;
    }

    static String layerOf(String name) {
        String[] parts = name.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].isEmpty() && parts[i].chars().allMatch(Character::isDigit)) return String.join(".", List.of(parts).subList(0, i + 1));
        }
        return parts.length == 1 ? name : String.join(".", List.of(parts).subList(0, parts.length - 1));
    }

    /** Whether a name matches one of the comma-separated globs (syntax in {@link #select}). */
    public static Predicate<String> glob(String globs) {
        if (globs == null || globs.isBlank()) throw new IllegalArgumentException("parameter pattern is empty (use ** for all)");
        List<Pattern> patterns = new ArrayList<>();
        for (String g : globs.split(",")) patterns.add(Hooks.compile(g.strip()));
        return name -> patterns.stream().anyMatch(p -> p.matcher(name).matches());
    }

    private static Predicate<String> excludes(String exclude) {
        if (exclude == null || exclude.isBlank()) return name -> false;
        Pattern p;
        try {
            p = Pattern.compile(exclude);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("bad exclusion pattern '" + exclude + "': " + e.getDescription());
        }
        return name -> p.matcher(name).find();
    }

    /** Full names of the parameters, in model order. */
    public List<String> names() {
        return names;
    }

    /** Values per member: the dimension n of the flat vectors. */
    public int dim() {
        return dim;
    }

    public int members() {
        return model.members();
    }

    /** The parameter tensors, as the model holds them now. */
    Tensor[] tensors() {
        Map<String, Tensor> all = model.namedParameters();
        Tensor[] t = new Tensor[names.size()];
        for (int i = 0; i < t.length; i++) t[i] = all.get(names.get(i));
        return t;
    }

    /**
     * Tensors shaped like the parameters (one per name) as [E][n] vectors, through one copy to the host: on a GPU a
     * copy per parameter would wait for the device once each.
     */
    double[][] flatten(Tensor[] values) {
        return perMember(join(values).toDoubleArray());
    }

    /** Tensors shaped like the parameters as one flat tensor, parameter-major ([parameter][E][per]), on their device. */
    Tensor join(Tensor[] values) {
        Tensor[] flat = new Tensor[values.length];
        for (int i = 0; i < values.length; i++) flat[i] = values[i].to(values[0].dtype()).to(values[0].device()).reshape(values[i].size());
        return Tensor.concat(0, flat);
    }

    /** The [E][n] vectors of a parameter-major flat array ({@link #join}). */
    double[][] perMember(double[] x) {
        int members = members();
        double[][] v = new double[members][dim];
        int offset = 0, at = 0;
        for (Tensor t : tensors()) {
            int per = t.size() / members;
            for (int e = 0; e < members; e++, at += per) System.arraycopy(x, at, v[e], offset, per);
            offset += per;
        }
        return v;
    }

    /** [E][n] vectors as tensors shaped like the parameters, with their dtype and device, through one copy to the device. */
    Tensor[] unflatten(double[][] v) {
        Tensor[] params = tensors();
        return split(Tensor.of(parameterMajor(v), members() * dim).to(params[0].dtype()).to(params[0].device()));
    }

    /** [E][n] vectors as one parameter-major array ([parameter][E][per]), the layout of {@link #split} and {@link #join}. */
    double[] parameterMajor(double[][] v) {
        int members = members();
        if (v.length != members) throw new IllegalArgumentException("parameter group: " + v.length + " vectors for " + members + " members");
        double[] x = new double[members * dim];
        int offset = 0, at = 0;
        for (Tensor p : tensors()) {
            int per = p.size() / members;
            for (int e = 0; e < members; e++, at += per) System.arraycopy(v[e], offset, x, at, per);
            offset += per;
        }
        return x;
    }

    /** A parameter-major flat tensor cut into tensors shaped like the parameters, with their dtype and device. */
    Tensor[] split(Tensor flat) {
        Tensor[] params = tensors();
        Tensor[] out = new Tensor[params.length];
        int at = 0;
        for (int i = 0; i < params.length; i++) {
            Tensor p = params[i];
            out[i] = flat.slice(0, at, at + p.size()).reshape(p.shape().dims()).to(p.dtype()).to(p.device());
            at += p.size();
        }
        return out;
    }
}
