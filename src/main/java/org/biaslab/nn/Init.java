package org.biaslab.nn;

import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;

/**
 * Parameter initialisation for a model of E ensemble members. Member e draws from its own generator, seeded with
 * seeds[e], in module order, so member e of an ensemble starts exactly like a single model with seed seeds[e].
 * With one member, parameters carry no member axis and have PyTorch's shapes.
 */
public final class Init {
    private final Rng[] rngs;
    private final DType dtype;
    private final boolean placeholders;
    private final long values;   // placeholders may hold at most this many values in all
    private long placed;

    public Init(DType dtype, long... seeds) {
        this(dtype, false, Long.MAX_VALUE, seeds);
    }

    private Init(DType dtype, boolean placeholders, long values, long... seeds) {
        if (seeds.length == 0) throw new IllegalArgumentException("Init: at least one seed is needed");
        this.dtype = dtype;
        this.placeholders = placeholders;
        this.values = values;
        this.rngs = new Rng[seeds.length];
        for (int e = 0; e < seeds.length; e++) rngs[e] = new Rng(seeds[e]);
    }

    /**
     * For a model whose parameters a checkpoint is about to replace: random draws become zeros of the right shape,
     * which skips most of the build time of a large model (GPT-2 small: about 80% of its load time).
     */
    public static Init forLoading(DType dtype) {
        return new Init(dtype, true, Long.MAX_VALUE, 0);
    }

    /** As {@link #forLoading(DType)}, for an ensemble of {@code members} whose stacked checkpoints are about to be loaded. */
    public static Init forLoading(DType dtype, int members) {
        return new Init(dtype, true, Long.MAX_VALUE, new long[members]);
    }

    /**
     * As {@link #forLoading(DType)} for a checkpoint that holds {@code values} values in all: a model with more
     * parameters cannot load it, so building one stops, with an {@link IllegalArgumentException}, at the first
     * parameter beyond them (a config's absurd size costs no more memory than the checkpoint).
     */
    public static Init forCheckpoint(DType dtype, long values) {
        return new Init(dtype, true, values, 0);
    }

    /** float32 parameters for one member per seed. */
    public static Init f32(long... seeds) {
        return new Init(DType.F32, seeds);
    }

    /** Number of ensemble members E. */
    public int members() {
        return rngs.length;
    }

    public DType dtype() {
        return dtype;
    }

    /** N(0, std²) entries: {@code dims} for one member, (E, dims…) for an ensemble. */
    public Tensor normal(double std, int... dims) {
        return draw(dims, rng -> std * rng.normal());
    }

    /** U(−bound, bound) entries. */
    public Tensor uniform(double bound, int... dims) {
        return draw(dims, rng -> bound * (2 * rng.uniform() - 1));
    }

    /** A constant (no random draws). */
    public Tensor constant(double value, int... dims) {
        return Tensor.full(dtype, placed(dims), value);
    }

    /** PyTorch's default for Linear weights, kaiming_uniform(a=√5): U(±1/√fan_in). */
    public Tensor kaimingUniform(int fanOut, int fanIn) {
        return uniform(1 / Math.sqrt(fanIn), fanOut, fanIn);
    }

    /** xavier_uniform: U(±√(6/(fan_in + fan_out))) for a (fanOut, fanIn) matrix. */
    public Tensor xavierUniform(int fanOut, int fanIn) {
        return uniform(Math.sqrt(6.0 / (fanIn + fanOut)), fanOut, fanIn);
    }

    int[] withMembers(int[] dims) {
        if (rngs.length == 1) return dims.clone();
        int[] d = new int[dims.length + 1];
        d[0] = rngs.length;
        System.arraycopy(dims, 0, d, 1, dims.length);
        return d;
    }

    /** The shape of a new parameter, counted against the values a checkpoint holds. */
    private org.biaslab.tensor.Shape placed(int[] dims) {
        org.biaslab.tensor.Shape shape = org.biaslab.tensor.Shape.of(withMembers(dims));
        if (placeholders && (placed += shape.size()) > values) {
            throw new IllegalArgumentException("the model has more parameters than the checkpoint's " + values + " values");
        }
        return shape;
    }

    private Tensor draw(int[] dims, java.util.function.ToDoubleFunction<Rng> sample) {
        if (placeholders) return Tensor.zeros(dtype, placed(dims));
        int per = 1;
        for (int d : dims) per *= d;
        double[] values = new double[per * rngs.length];
        for (int e = 0; e < rngs.length; e++) {
            for (int i = 0; i < per; i++) values[e * per + i] = sample.applyAsDouble(rngs[e]);
        }
        Tensor t = Tensor.of(values, withMembers(dims));
        return t.to(dtype);
    }
}
