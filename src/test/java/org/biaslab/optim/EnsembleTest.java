package org.biaslab.optim;

import static org.biaslab.optim.Fixtures.named;
import static org.biaslab.optim.Fixtures.randn;
import static org.biaslab.optim.Fixtures.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.function.BiFunction;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** An ensemble of 2 members with their own learning rates evolves bitwise as 2 separate runs. */
class EnsembleTest {
    private static final double[] LR = {1e-2, 3e-3};
    private static final int STEPS = 6;

    /** Creates an optimiser over params with the given per-member (or single) learning rates. */
    private static void check(BiFunction<java.util.LinkedHashMap<String, Tensor>, double[], Optimizer<?>> make) {
        Tensor w = randn(1, DType.F32, 2, 3, 4), b = randn(2, DType.F32, 2, 4);
        Tensor[] ws = new Tensor[2], bs = new Tensor[2];
        Optimizer<?>[] single = new Optimizer<?>[2];
        for (int e = 0; e < 2; e++) {
            ws[e] = w.slice(0, e, e + 1).reshape(3, 4).detach();
            bs[e] = b.slice(0, e, e + 1).reshape(4).detach();
            single[e] = make.apply(named("weight", ws[e], "bias", bs[e]), new double[] {LR[e]});
        }
        Optimizer<?> ensemble = make.apply(named("weight", w, "bias", b), LR);
        for (int k = 0; k < STEPS; k++) {
            // member 0's gradients are large enough to be clipped, member 1's are not
            Tensor gw = randn(10 + k, DType.F32, 2, 3, 4).mul(Tensor.of(new float[] {5, 0.05f}, 2, 1, 1));
            Tensor gb = randn(20 + k, DType.F32, 2, 4).mul(Tensor.of(new float[] {2, 0.05f}, 2, 1));
            setGrad(w, gw);
            setGrad(b, gb);
            GradClip.clipNormPerMember(ensemble.params().values(), 1.0);
            ensemble.step();
            for (int e = 0; e < 2; e++) {
                setGrad(ws[e], gw.slice(0, e, e + 1).reshape(3, 4));
                setGrad(bs[e], gb.slice(0, e, e + 1).reshape(4));
                GradClip.clipNorm(single[e].params().values(), 1.0);
                single[e].step();
            }
        }
        for (int e = 0; e < 2; e++) {
            assertArrayEquals(ws[e].toFloatArray(), w.slice(0, e, e + 1).toFloatArray(), "member " + e + " weight");
            assertArrayEquals(bs[e].toFloatArray(), b.slice(0, e, e + 1).toFloatArray(), "member " + e + " bias");
        }
    }

    @Test
    void adamwEnsembleEqualsSeparateRunsBitwise() {
        AdamWConfig config = AdamWConfig.P1;
        check((params, lr) -> new AdamW(params, config, Schedule.parse("cosine:0:2", STEPS), lr));
    }

    @Test
    void sgdEnsembleEqualsSeparateRunsBitwise() {
        SgdConfig config = new SgdConfig(0.1, 0.9, 0, 0.01, true);
        check((params, lr) -> new Sgd(params, config, Schedule.warmup(3), lr));
    }
}
