package org.biaslab.probe.norm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.biaslab.tensor.Tensor;

/**
 * P3's checkpoint measurements (papers.md §P3.2) over a sequence of checkpoints θ_0, θ_1, … of one model: the norm
 * ρ_t = ‖θ_t‖₂, the direction change cos(θ_t, θ_{t+1}) = θ_t·θ_{t+1}/(ρ_t ρ_{t+1}) and the update alignment
 * cos(Δθ_t, θ_t) = Δθ_t·θ_t/(‖Δθ_t‖ ρ_t) with Δθ_t = θ_{t+1} − θ_t, globally and per layer ({@link ParameterNorms#layer}).
 * Every sum is taken elementwise in float64 (Δθ·θ and ‖Δθ‖² directly, not by cancellation of large terms), and the
 * per-layer alignment uses the layer's own Δθ and θ (the reference subtracts a scalar norm there, §P3.5).
 */
public final class NormTrajectory {
    private NormTrajectory() {}

    /** Reads the parameters (name → tensor, one model) of the checkpoint at {@code step}. */
    @FunctionalInterface
    public interface Loader {
        Map<String, Tensor> load(long step) throws IOException;
    }

    /**
     * The measurements at one checkpoint: {@code cosPrevious} = cos(θ_{t−1}, θ_t) and {@code alignment} =
     * cos(θ_t − θ_{t−1}, θ_{t−1}), both null at the first checkpoint (and the alignment where nothing changed).
     */
    public record Point(long step, double norm, Double cosPrevious, Double alignment, Map<String, Layer> layers) {}

    /** A layer's share of a {@link Point}. */
    public record Layer(double norm, Double cosPrevious, Double alignment) {}

    /** Measures the checkpoints at {@code steps} (ascending), loading one at a time and keeping the previous one. */
    public static List<Point> of(List<Long> steps, Loader loader, ParameterNorms.Selection selection) throws IOException {
        Pattern pattern = selection.pattern();
        List<Point> out = new ArrayList<>();
        Map<String, double[]> previous = null;
        for (long step : steps) {
            Map<String, double[]> current = new LinkedHashMap<>();
            for (var e : loader.load(step).entrySet()) {
                if (selection.test(e.getKey(), e.getValue().size(), pattern)) current.put(e.getKey(), e.getValue().toDoubleArray());
            }
            if (current.isEmpty()) throw new IllegalArgumentException("checkpoint at step " + step + ": no parameter matches " + selection);
            out.add(point(step, previous, current));
            previous = current;
        }
        return out;
    }

    /** Sums over one group: ‖θ_{t−1}‖², ‖θ_t‖², θ_{t−1}·θ_t, ‖Δθ‖², Δθ·θ_{t−1}. */
    private static final class Sums {
        double prev, cur, dot, diff, diffDotPrev;

        void add(double[] a, double[] b) {
            for (int i = 0; i < b.length; i++) {
                cur += b[i] * b[i];
                if (a == null) continue;
                double d = b[i] - a[i];
                prev += a[i] * a[i];
                dot += a[i] * b[i];
                diff += d * d;
                diffDotPrev += d * a[i];
            }
        }

        Layer layer(boolean first) {
            if (first) return new Layer(Math.sqrt(cur), null, null);
            Double cos = dot / Math.sqrt(prev * cur);
            Double align = diff == 0 ? null : diffDotPrev / Math.sqrt(diff * prev);
            return new Layer(Math.sqrt(cur), cos, align);
        }
    }

    private static Point point(long step, Map<String, double[]> previous, Map<String, double[]> current) {
        Sums all = new Sums();
        Map<String, Sums> layers = new LinkedHashMap<>();
        for (var e : current.entrySet()) {
            double[] a = previous == null ? null : previous.get(e.getKey());
            if (previous != null && (a == null || a.length != e.getValue().length)) {
                throw new IllegalArgumentException("checkpoint at step " + step + ": parameter '" + e.getKey()
                        + "' is missing or has another size in the previous checkpoint");
            }
            all.add(a, e.getValue());
            layers.computeIfAbsent(ParameterNorms.layer(e.getKey()), k -> new Sums()).add(a, e.getValue());
        }
        Layer g = all.layer(previous == null);
        Map<String, Layer> byLayer = new LinkedHashMap<>();
        layers.forEach((name, s) -> byLayer.put(name, s.layer(previous == null)));
        return new Point(step, g.norm(), g.cosPrevious(), g.alignment(), byLayer);
    }
}
