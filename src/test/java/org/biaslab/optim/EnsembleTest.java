package org.biaslab.optim;

import static org.biaslab.optim.Fixtures.named;
import static org.biaslab.optim.Fixtures.randn;
import static org.biaslab.optim.Fixtures.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BiFunction;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** An ensemble of 2 members with their own learning rates (and weight decays) evolves bitwise as 2 separate runs. */
class EnsembleTest {
    private static final double[] LR = {1e-2, 3e-3}, WD = {0.4, 0.05};
    private static final int STEPS = 6;

    /** {@code make} creates an optimiser over params for member e, or for the whole ensemble when e is −1. */
    private static void check(BiFunction<java.util.LinkedHashMap<String, Tensor>, Integer, Optimizer<?>> make) {
        Tensor w = randn(1, DType.F32, 2, 3, 4), b = randn(2, DType.F32, 2, 4);
        Tensor[] ws = new Tensor[2], bs = new Tensor[2];
        Optimizer<?>[] single = new Optimizer<?>[2];
        for (int e = 0; e < 2; e++) {
            ws[e] = w.slice(0, e, e + 1).reshape(3, 4).detach();
            bs[e] = b.slice(0, e, e + 1).reshape(4).detach();
            single[e] = make.apply(named("weight", ws[e], "bias", bs[e]), e);
        }
        Optimizer<?> ensemble = make.apply(named("weight", w, "bias", b), -1);
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
        check((params, e) -> new AdamW(params, config, Schedule.parse("cosine:0:2", STEPS), e < 0 ? LR : new double[] {LR[e]}));
    }

    @Test
    void adamwEnsembleWithAWeightDecayPerMemberEqualsSeparateRunsBitwise() {
        AdamWConfig config = AdamWConfig.P1;
        check((params, e) -> e < 0 ? new AdamW(params, config, Schedule.parse("cosine:0:2", STEPS), LR, WD)
                : new AdamW(params, new AdamWConfig(LR[e], 0.9, 0.999, 1e-8, WD[e]), Schedule.parse("cosine:0:2", STEPS)));
    }

    @Test
    void weightDecaysMustBeOneOrOnePerMember() {
        var params = named("weight", randn(1, DType.F32, 2, 3));
        var e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(params, AdamWConfig.P1, Schedule.parse("constant", 1), LR, new double[] {0.1, 0.2, 0.3}));
        assertTrue(e.getMessage().contains("3 weight decays for 2 learning rates"), e.getMessage());
    }

    @Test
    void sgdEnsembleEqualsSeparateRunsBitwise() {
        SgdConfig config = new SgdConfig(0.1, 0.9, 0, 0.01, true);
        check((params, e) -> new Sgd(params, config, Schedule.warmup(3), e < 0 ? LR : new double[] {LR[e]}));
    }
}
