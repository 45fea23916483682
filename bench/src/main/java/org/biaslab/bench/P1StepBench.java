package org.biaslab.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.biaslab.nn.Init;
import org.biaslab.nn.P1Transformer;
import org.biaslab.optim.AdamW;
import org.biaslab.optim.AdamWConfig;
import org.biaslab.optim.Schedule;
import org.biaslab.tensor.Tensor;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of the P1 model (papers.md §P1.4, §P1.9.0: d 128, 2 layers, 2 heads, batch 1024, n = 20),
 * as {@code Trainer} runs it: forward on int32 bits, MSE per member summed over members, backward, AdamW
 * (lr 3e-4, wd 0.1, constant schedule), zeroGrad. {@code members} = 1 is a single model, 8 an ensemble of 8
 * trained as one model (seeds 0..7, inputs (8, 1024, 20), one lr per member). Batches come from {@link P1Data}.
 * Score: ms per step (of all members together).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {Jvm.VECTOR, Jvm.NATIVE, "-Xmx8g"})
public class P1StepBench {
    @Param({"2"})
    public int threads;

    @Param({"1", "8"})
    public int members;

    private P1Transformer model;
    private AdamW optimizer;
    private Tensor[] bits, targets;
    private int step;

    @Setup
    public void setup() {
        Jvm.useThreads(threads);
        long[] seeds = new long[members];
        for (int e = 0; e < members; e++) seeds[e] = e;
        model = P1Transformer.defaults(Init.f32(seeds));
        if (members == 1) {
            optimizer = new AdamW(model.namedParameters(), AdamWConfig.P1, Schedule.constant());
        } else {
            double[] lr = new double[members];
            Arrays.fill(lr, AdamWConfig.P1.lr());
            optimizer = new AdamW(model.namedParameters(), AdamWConfig.P1, Schedule.constant(), lr);
        }
        P1Data data = new P1Data(members);
        bits = new Tensor[P1Data.POOL];
        targets = new Tensor[P1Data.POOL];
        for (int k = 0; k < P1Data.POOL; k++) {
            bits[k] = Tensor.ofInts(data.bits[k], data.bitsDims());             // (B, n) or (E, B, n) int32
            targets[k] = Tensor.of(data.targets[k], data.targetDims());          // (B) or (E, B) float32
        }
    }

    /** Forward, loss, backward, AdamW step, zeroGrad; returns the loss so that nothing is dead code. */
    @Benchmark
    public Tensor step() {
        int k = step++ % P1Data.POOL;
        Tensor pred = model.forward(bits[k]);                                    // (B) or (E, B)
        Tensor diff2 = pred.sub(targets[k]).pow(2.0);
        Tensor loss = members == 1 ? diff2.mean() : diff2.mean(false, 1).sum(); // per-member MSE, summed
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        return loss;
    }
}
