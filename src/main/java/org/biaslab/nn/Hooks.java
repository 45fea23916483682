package org.biaslab.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.biaslab.tensor.Tensor;

/**
 * Named points in a model's forward pass where tensors can be read or replaced, TransformerLens style. Names are
 * module paths plus a point, e.g. {@code encoders.layers.0.norm1.hook_in}; patterns use {@code *} for one path
 * segment and {@code **} for any number. The list of points is in docs/hooks.md.
 */
public final class Hooks {
    /** A hook function: returns the tensor to continue with (the same one to only observe). */
    @FunctionalInterface
    public interface Fn {
        Tensor apply(String name, Tensor value);
    }

    private record Entry(Pattern pattern, Fn fn, boolean readout) {}

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /** Calls {@code fn} at every point matching {@code glob} until the returned handle is closed. */
    public Handle add(String glob, Fn fn) {
        return add(glob, fn, false);
    }

    private Handle add(String glob, Fn fn, boolean readout) {
        Entry e = new Entry(compile(glob), fn, readout);
        entries.add(e);
        return () -> entries.remove(e);
    }

    /** Records the tensors at every point matching {@code glob}, in call order, until closed. */
    public Capture capture(String glob) {
        return capture(glob, false);
    }

    /**
     * As {@link #capture}, but a model read out at its last position may still compute its last layer at that position
     * alone (P1's model), so that layer's points hold the last row, (…, 1, d), where {@link #capture} would see every
     * row. For what only the last row matters to: P1's LayerNorm blowup.
     */
    public Capture captureAtReadout(String glob) {
        return capture(glob, true);
    }

    private Capture capture(String glob, boolean readout) {
        Capture c = new Capture();
        c.handle = add(glob, (name, t) -> {
            c.values.computeIfAbsent(name, k -> new ArrayList<>()).add(t);
            return t;
        }, readout);
        return c;
    }

    /** Runs the hooks registered for {@code name} on {@code t}. */
    Tensor fire(String name, Tensor t) {
        for (Entry e : entries) {
            if (e.pattern.matcher(name).matches()) t = e.fn.apply(name, t);
        }
        return t;
    }

    /** Whether any hook is registered. */
    public boolean any() {
        return !entries.isEmpty();
    }

    /** Whether a hook is registered that sees every position of every layer (any but {@link #captureAtReadout}'s). */
    public boolean anyOfEveryRow() {
        for (Entry e : entries) if (!e.readout) return true;
        return false;
    }

    /** Whether a hook is registered for {@code name}. */
    boolean listens(String name) {
        for (Entry e : entries) if (e.pattern.matcher(name).matches()) return true;
        return false;
    }

    /**
     * The regular expression of a glob over dotted names: {@code *} any run within one segment, {@code **} any number
     * of segments, {@code ?} one character other than a dot.
     */
    public static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^.]*");
            } else if (c == '?') {
                re.append("[^.]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** Removes a hook when closed. */
    public interface Handle extends AutoCloseable {
        @Override
        void close();
    }

    /** Tensors seen at the captured points: name → the values of each forward pass, in order. */
    public static final class Capture implements AutoCloseable {
        private final Map<String, List<Tensor>> values = new LinkedHashMap<>();
        private Handle handle;

        public Map<String, List<Tensor>> values() {
            return values;
        }

        /** The last tensor recorded at {@code name}, or an error naming the captured points. */
        public Tensor last(String name) {
            List<Tensor> v = values.get(name);
            if (v == null) throw new IllegalArgumentException("no tensor captured at '" + name + "'; captured: " + values.keySet());
            return v.get(v.size() - 1);
        }

        @Override
        public void close() {
            handle.close();
        }
    }
}
