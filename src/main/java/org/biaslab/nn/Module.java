package org.biaslab.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.biaslab.tensor.Device;
import org.biaslab.tensor.Tensor;

/**
 * A node of a model: named parameters, named children, and hook points. Full names join the path from the root
 * with dots, as PyTorch's {@code named_parameters()}, so checkpoints map one to one. Parameters are looked up by
 * name at every forward pass, so loading a checkpoint replaces them in place of the map entries.
 */
public abstract class Module {
    private final LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();
    private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private String path = "";
    private Hooks hooks = new Hooks();
    /** Ensemble members E; with 1 the parameters carry no member axis. */
    protected final int members;

    protected Module(int members) {
        this.members = members;
    }

    /** Registers a trainable parameter. */
    protected final Tensor register(String name, Tensor value) {
        params.put(name, value.requiresGrad(true));
        return value;
    }

    /** Registers a child module under {@code name}; it shares this module's hooks. */
    protected final <M extends Module> M child(String name, M m) {
        if (m.members != members) throw new IllegalArgumentException("child '" + name + "' has " + m.members + " members, parent " + members);
        children.put(name, m);
        ((Module) m).attach(join(path, name), hooks);
        return m;
    }

    private void attach(String p, Hooks h) {
        path = p;
        hooks = h;
        children.forEach((name, c) -> c.attach(join(p, name), h));
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "." + b;
    }

    /** The parameter registered on this module under its short name. */
    protected final Tensor p(String name) {
        return params.get(name);
    }

    /** Runs the hooks of point {@code point} of this module on {@code t}. */
    protected final Tensor hook(String point, Tensor t) {
        return hooks.fire(join(path, point), t);
    }

    /** Whether any hook is registered for one of these points of this module. */
    protected final boolean hooked(String... points) {
        for (String point : points) if (hooks.listens(join(path, point))) return true;
        return false;
    }

    /** The module's full name from the root ("" for the root). */
    public String path() {
        return path;
    }

    public int members() {
        return members;
    }

    public Hooks hooks() {
        return hooks;
    }

    /** All parameters of this module and its descendants by full name, in registration order. */
    public LinkedHashMap<String, Tensor> namedParameters() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    /** This module (under "") and all its descendants by full name, in registration order, as PyTorch's {@code named_modules()}. */
    public LinkedHashMap<String, Module> namedModules() {
        LinkedHashMap<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        children.forEach((n, c) -> c.collectModules(join(prefix, n), out));
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        params.forEach((n, t) -> out.put(join(prefix, n), t));
        children.forEach((n, c) -> c.collect(join(prefix, n), out));
    }

    /** Replaces parameters by copies of {@code values} by full name (e.g. from a checkpoint); names and shapes must match. */
    public void load(Map<String, Tensor> values) {
        Map<String, Tensor> current = namedParameters();
        for (String name : current.keySet()) {
            if (!values.containsKey(name)) throw new IllegalArgumentException("load: parameter '" + name + "' is missing");
        }
        for (var e : values.entrySet()) {
            Tensor old = current.get(e.getKey());
            if (old == null) throw new IllegalArgumentException("load: unexpected parameter '" + e.getKey() + "'");
            if (!old.shape().equals(e.getValue().shape())) {
                throw new IllegalArgumentException("load: parameter '" + e.getKey() + "' has shape " + e.getValue().shape()
                        + ", the model expects " + old.shape());
            }
            replace(e.getKey(), e.getValue().to(old.dtype()).to(old.device()).copy().requiresGrad(true));
        }
    }

    /**
     * Puts {@code value} itself (no copy, no dtype or device change) in place of parameter {@code fullName} and
     * returns the tensor it replaces, so a caller can put that one back bit for bit (the saturation probe does).
     */
    public Tensor swapParameter(String fullName, Tensor value) {
        Tensor old = namedParameters().get(fullName);
        if (old == null) throw new IllegalArgumentException("no parameter '" + fullName + "'");
        if (!old.shape().equals(value.shape())) {
            throw new IllegalArgumentException("parameter '" + fullName + "' has shape " + old.shape() + ", not " + value.shape());
        }
        replace(fullName, value);
        return old;
    }

    private void replace(String fullName, Tensor value) {
        if (params.containsKey(fullName)) {
            params.put(fullName, value);
            return;
        }
        // the longest child name that prefixes fullName (children may themselves contain dots, e.g. "layers.0")
        for (var e : children.entrySet()) {
            if (fullName.startsWith(e.getKey() + ".")) {
                e.getValue().replace(fullName.substring(e.getKey().length() + 1), value);
                return;
            }
        }
        throw new IllegalArgumentException("load: no parameter '" + fullName + "'");
    }

    /**
     * Moves every parameter to {@code device} (new leaves there; gradients and optimiser state are created after
     * the move). Returns this module.
     */
    public Module to(Device device) {
        for (var e : namedParameters().entrySet()) {
            Tensor t = e.getValue();
            if (t.device() != device) replace(e.getKey(), t.detach().to(device).requiresGrad(true));
        }
        return this;
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.size();
        return n;
    }
}
