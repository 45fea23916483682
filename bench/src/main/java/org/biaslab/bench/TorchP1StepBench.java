package org.biaslab.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The libtorch reference for {@link P1StepBench}: one training step of the same model, written with DJL NDArray
 * ops on PyTorch 2.7.1 (CPU) and its autograd, as PyTorch's {@code TorchModel} of papers.md §P1.4 computes it:
 * {@code Embedding(2, 64) ‖ Embedding(1024, 64)}, two {@code nn.TransformerEncoderLayer}s (Post-LN, MHA with
 * in/out biases and scale 1/√(d/H), ReLU FFN of width d, LN eps 1e-5; each op is the torch op the layer calls:
 * {@code linear}, {@code softmax}, {@code layer_norm}, {@code relu}), {@code Linear(128, 1)} at every position,
 * read at the last, MSE loss, backward, then torch.optim.AdamW's single-tensor update (lr 3e-4, wd 0.1, betas
 * (0.9, 0.999), eps 1e-8; DJL's Adam couples weight decay as L2, so the decoupled update is written out with
 * in-place NDArray ops) and zero_grad. Attention is the math path (q·kᵀ, softmax, ·v): DJL exposes no
 * {@code scaled_dot_product_attention}. Every intermediate array is closed within the step (NDScope).
 * Score: ms per step of one model; "8 sequential runs" is 8 × this.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.NATIVE})
public class TorchP1StepBench {
    private static final int D = 128, LAYERS = 2, HEADS = 2, MAX_LEN = 1024;
    private static final float LR = 3e-4f, WD = 0.1f, BETA1 = 0.9f, BETA2 = 0.999f, EPS = 1e-8f;

    @Param({"2"})
    public int threads;

    /**
     * How q, k, v leave the in-projection: {@code packed} as PyTorch's {@code _in_projection_packed} does (one
     * linear to (…, 3d), then q, k, v = proj[0], proj[1], proj[2]; each select's backward allocates and zero-fills
     * a gradient of the whole projection), {@code split} as three linears on row slices of the same in_proj
     * weight and bias (the same arithmetic without those buffers). docs/benchmarks.md compares against the faster.
     */
    @Param({"split", "packed"})
    public String qkv;

    private NDManager manager;
    private NDArray tokens, positions, headW, headB;
    private final List<Layer> layers = new ArrayList<>();
    private final List<NDArray> params = new ArrayList<>(), expAvg = new ArrayList<>(), expAvgSq = new ArrayList<>();
    private NDArray[] bits, targets;
    private int step, updates;

    /** One nn.TransformerEncoderLayer's parameters, PyTorch's names and shapes. */
    private record Layer(NDArray inW, NDArray inB, NDArray outW, NDArray outB, NDArray norm1W, NDArray norm1B,
                         NDArray linear1W, NDArray linear1B, NDArray linear2W, NDArray linear2B,
                         NDArray norm2W, NDArray norm2B) {}

    @Setup
    public void setup() {
        // read once, when DJL starts libtorch: intra-op threads and inter-op threads
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        manager = NDManager.newBaseManager("PyTorch");
        manager.getEngine().setRandomSeed(1);
        // PyTorch's default init (the values do not change the work; they keep the numbers finite)
        tokens = param(manager.randomNormal(new Shape(2, D / 2)));
        positions = param(manager.randomNormal(new Shape(MAX_LEN, D / 2)));
        for (int l = 0; l < LAYERS; l++) {
            layers.add(new Layer(
                    param(uniform(Math.sqrt(6.0 / (D + 3 * D)), 3 * D, D)), param(manager.zeros(new Shape(3 * D))),
                    param(uniform(1 / Math.sqrt(D), D, D)), param(manager.zeros(new Shape(D))),
                    param(manager.ones(new Shape(D))), param(manager.zeros(new Shape(D))),
                    param(uniform(1 / Math.sqrt(D), D, D)), param(uniform(1 / Math.sqrt(D), D)),
                    param(uniform(1 / Math.sqrt(D), D, D)), param(uniform(1 / Math.sqrt(D), D)),
                    param(manager.ones(new Shape(D))), param(manager.zeros(new Shape(D)))));
        }
        headW = param(uniform(1 / Math.sqrt(D), 1, D));
        headB = param(uniform(1 / Math.sqrt(D), 1));
        P1Data data = new P1Data(1);
        bits = new NDArray[P1Data.POOL];
        targets = new NDArray[P1Data.POOL];
        for (int k = 0; k < P1Data.POOL; k++) {
            // int64 indices, as torch.nn.Embedding takes them from a LongTensor
            bits[k] = manager.create(data.bits[k], new Shape(P1Data.BATCH, P1Data.N)).toType(DataType.INT64, false);
            targets[k] = manager.create(data.targets[k], new Shape(P1Data.BATCH));
        }
    }

    private NDArray uniform(double bound, long... dims) {
        return manager.randomUniform((float) -bound, (float) bound, new Shape(dims));
    }

    private NDArray param(NDArray p) {
        p.setRequiresGradient(true);
        params.add(p);
        expAvg.add(manager.zeros(p.getShape()));
        expAvgSq.add(manager.zeros(p.getShape()));
        return p;
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    /** Forward, MSE, backward, AdamW, zero_grad; returns the loss value. */
    @Benchmark
    public float step() {
        int k = step++ % P1Data.POOL;
        try (NDScope scope = new NDScope()) {
            float value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray pred = forward(bits[k]);                                      // (B)
                NDArray loss = pred.sub(targets[k]).pow(2).mean();
                gc.backward(loss);
                value = loss.getFloat();
            }
            adamw();
            return value;
        }
    }

    /** bits (B, n) int64 -> (B) outputs at the last position. */
    private NDArray forward(NDArray ids) {
        NDArrayEx ex = ids.getNDArrayInternal();
        long b = ids.getShape().get(0), n = ids.getShape().get(1);
        NDArray tok = ex.embedding(ids, tokens, SparseFormat.DENSE).head();          // (B, n, d/2)
        NDArray pos = positions.get(new NDIndex("0:{}", n)).broadcast(new Shape(b, n, D / 2)); // (B, n, d/2)
        NDArray x = tok.concat(pos, -1);                                             // (B, n, d)
        for (Layer layer : layers) x = encoderLayer(x, layer);
        // TorchModel applies linear_head at every position and then reads [:, -1]
        return ex.linear(x, headW, headB).head().get(new NDIndex(":, -1, 0"));      // (B, n, 1) -> (B)
    }

    /** nn.TransformerEncoderLayer, norm_first = False: x ← LN1(x + SA(x)); x ← LN2(x + FFN(x)). */
    private NDArray encoderLayer(NDArray x, Layer p) {
        NDArrayEx ex = x.getNDArrayInternal();
        long b = x.getShape().get(0), n = x.getShape().get(1), dh = D / HEADS;
        NDArray q, k, v;                                                             // (B, H, n, dh)
        if (qkv.equals("packed")) {
            NDArray proj = ex.linear(x, p.inW(), p.inB()).head()                     // (B, n, 3d)
                    .reshape(b, n, 3, HEADS, dh).transpose(2, 0, 3, 1, 4);          // (3, B, H, n, dh)
            q = proj.get(0);
            k = proj.get(1);
            v = proj.get(2);
        } else {
            q = heads(ex.linear(x, third(p.inW(), 0), third(p.inB(), 0)).head());      // W_q x + b_q
            k = heads(ex.linear(x, third(p.inW(), 1), third(p.inB(), 1)).head());      // W_k x + b_k
            v = heads(ex.linear(x, third(p.inW(), 2), third(p.inB(), 2)).head());      // W_v x + b_v
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(1 / Math.sqrt(dh)); // (B, H, n, n)
        NDArray heads = scores.softmax(-1).matMul(v)                                 // (B, H, n, dh)
                .transpose(0, 2, 1, 3).reshape(b, n, D);                             // (B, n, d)
        NDArray sa = ex.linear(heads, p.outW(), p.outB()).head();                    // (B, n, d)
        Shape norm = new Shape(D);
        x = ex.layerNorm(x.add(sa), norm, p.norm1W(), p.norm1B(), 1e-5f).head();
        NDArray hidden = ex.linear(x, p.linear1W(), p.linear1B()).head().getNDArrayInternal().relu(); // (B, n, d)
        NDArray ff = ex.linear(hidden, p.linear2W(), p.linear2B()).head();           // (B, n, d)
        return ex.layerNorm(x.add(ff), norm, p.norm2W(), p.norm2B(), 1e-5f).head();
    }

    /** Rows [i·d, (i+1)·d) of an in_proj weight (3d, d) or bias (3d): a view, so gradients reach the parameter. */
    private static NDArray third(NDArray inProj, int i) {
        return inProj.get(new NDIndex("{}:{}", i * D, (i + 1) * D));
    }

    /** (B, n, d) -> (B, H, n, dh). */
    private static NDArray heads(NDArray x) {
        long b = x.getShape().get(0), n = x.getShape().get(1);
        return x.reshape(b, n, HEADS, D / HEADS).transpose(0, 2, 1, 3);
    }

    /** torch.optim.AdamW, single-tensor path, then zero_grad. */
    private void adamw() {
        updates++;
        double bc1 = 1 - Math.pow(BETA1, updates), bc2 = 1 - Math.pow(BETA2, updates);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i), g = p.getGradient(), m = expAvg.get(i), v = expAvgSq.get(i);
            p.muli(1 - LR * WD);
            m.muli(BETA1).addi(g.mul(1 - BETA1));
            v.muli(BETA2).addi(g.mul(g).muli(1 - BETA2));
            NDArray denom = v.sqrt().divi(Math.sqrt(bc2)).addi(EPS);
            p.subi(m.div(denom).muli(LR / bc1));
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }
}
