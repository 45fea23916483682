package org.biaslab.probe.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Supplier;
import org.biaslab.data.Batch;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Init;
import org.biaslab.nn.Module;
import org.biaslab.nn.P1ScratchpadTransformer;
import org.biaslab.nn.P1Transformer;
import org.biaslab.nn.lm.LanguageModel;
import org.biaslab.nn.lm.LmConfig;
import org.biaslab.nn.lm.LmVariant;
import org.biaslab.nn.vit.AttentionVariant;
import org.biaslab.nn.vit.VitClassifier;
import org.biaslab.probe.P1Objective;
import org.biaslab.tensor.Autograd;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Hessian-vector products of every model family biaslab trains (P1's encoder and scratchpad models, P2's ViT with
 * reparameterised heads, P3's language model), in float64, against central differences of gradients along v:
 * H v ≈ (∇L(θ + hv) − ∇L(θ − hv)) / 2h, to 1e-6 of the largest component.
 */
class ModelHessianTest {
    private static final double H = 1e-5;

    static void assertHvpMatchesDifferences(Module model, Supplier<Tensor> loss) {
        ParameterGroup all = ParameterGroup.select(model, "**", null);
        CurvatureOperator op = CurvatureOperator.hessian(all, k -> loss.get(), 1);
        double[][] v = {Vectors.gaussian(new Rng(81), all.dim())};
        double[] hv = op.apply(v)[0];
        double[] plus = gradientAt(model, all, v, H, loss), minus = gradientAt(model, all, v, -H, loss);
        double scale = 0;
        for (double x : hv) scale = Math.max(scale, Math.abs(x));
        for (int i = 0; i < hv.length; i++) {
            assertEquals((plus[i] - minus[i]) / (2 * H), hv[i], 1e-6 * scale, all.names() + ": component " + i);
        }
    }

    /** ∇L at θ + step·v, the model's parameters swapped for the moved ones and back. */
    private static double[] gradientAt(Module model, ParameterGroup group, double[][] v, double step, Supplier<Tensor> loss) {
        Tensor[] original = group.tensors(), direction = group.unflatten(v);
        Tensor[] moved = new Tensor[original.length];
        for (int i = 0; i < moved.length; i++) {
            moved[i] = original[i].detach().add(direction[i].mul(step)).requiresGrad(true);
            model.swapParameter(group.names().get(i), moved[i]);
        }
        try {
            return group.flatten(Autograd.grad(loss.get().sum(), moved, null, false))[0];
        } finally {
            for (int i = 0; i < moved.length; i++) model.swapParameter(group.names().get(i), original[i]);
        }
    }

    private static Batch parityBatch(int members, int rows, int n, long seed) {
        Tensor x = members == 1 ? Tensor.randint(new Rng(seed), 2, rows, n) : Tensor.randint(new Rng(seed), 2, members, rows, n);
        int[] bits = x.toIntArray();
        double[] y = new double[bits.length / n];
        for (int r = 0; r < y.length; r++) for (int i = 0; i < n; i++) y[r] += bits[r * n + i];
        for (int r = 0; r < y.length; r++) y[r] %= 2;
        int[] dims = x.shape().dims();
        return new Batch(x, Tensor.of(y, java.util.Arrays.copyOf(dims, dims.length - 1)));
    }

    @Test
    void p1Transformer() {
        P1Transformer m = new P1Transformer(8, 2, 2, 8, new Init(DType.F64, 1));
        Batch b = parityBatch(1, 6, 5, 82);
        assertHvpMatchesDifferences(m, () -> P1Objective.loss(P1Objective.predict(m, b), b.y(), 1));
    }

    /** P1's model as an ensemble of two: each member's product is that of the member trained alone. */
    @Test
    void p1EnsembleMembersMatchTheModelsAlone() {
        P1Transformer ens = new P1Transformer(8, 1, 2, 8, new Init(DType.F64, 3, 4));
        Batch b = parityBatch(2, 5, 4, 83);
        ParameterGroup group = ParameterGroup.select(ens, "**", null);
        double[][] v = {Vectors.gaussian(new Rng(84), group.dim()), Vectors.gaussian(new Rng(85), group.dim())};
        double[][] hv = CurvatureOperator.hessian(group, k -> P1Objective.loss(P1Objective.predict(ens, b), b.y(), 2), 1).apply(v);
        for (int e = 0; e < 2; e++) {
            P1Transformer alone = new P1Transformer(8, 1, 2, 8, new Init(DType.F64, 3 + e));
            Batch own = new Batch(b.x().slice(0, e, e + 1).reshape(5, 4), b.y().slice(0, e, e + 1).reshape(5));
            double[] expected = CurvatureOperator.hessian(ParameterGroup.select(alone, "**", null),
                    k -> P1Objective.loss(P1Objective.predict(alone, own), own.y(), 1), 1).apply(new double[][] {v[e]})[0];
            for (int i = 0; i < expected.length; i++) assertEquals(expected[i], hv[e][i], 1e-10 * (1 + Math.abs(expected[i])), "member " + e + ", " + i);
        }
    }

    @Test
    void p1ScratchpadTransformer() {
        P1ScratchpadTransformer m = new P1ScratchpadTransformer(8, 1, 2, 8, new Init(DType.F64, 2));
        Tensor x = Tensor.randint(new Rng(86), 2, 4, 5);
        int[] bits = x.toIntArray();
        double[] y = new double[bits.length];
        for (int r = 0; r < 4; r++) for (int i = 0, s = 0; i < 5; i++) y[r * 5 + i] = (s += bits[r * 5 + i]) % 2;
        Batch b = new Batch(x, Tensor.of(y, 4, 5));
        assertHvpMatchesDifferences(m, () -> P1Objective.loss(P1Objective.predict(m, b), b.y(), 1));
    }

    /** P2's ViT with the sharpening spectral reparameterisation: GELU, LayerNorm, QR of the value/output factor. */
    @Test
    void vitWithSpectralHeads() {
        VitConfig c = new VitConfig(8, 1, 2, 16, "gelu", 1e-6, 4, 2, 1, true, 0.02);
        VitClassifier m = new VitClassifier(c, AttentionVariant.SHARPEN, 3, new Init(DType.F64, 5));
        Tensor pixels = Tensor.randn(new Rng(87), DType.F64, 3, 1, 4, 4), labels = Tensor.ofInts(new int[] {0, 2, 1}, 3);
        assertHvpMatchesDifferences(m, () -> m.forward(pixels).crossEntropy(labels));
    }

    @Test
    void languageModel() {
        LanguageModel m = new LanguageModel(new LmConfig(7, 8, 1, 2, 16, 6, LmVariant.PRE_LN, true), new Init(DType.F64, 6));
        Tensor ids = Tensor.randint(new Rng(88), 7, 2, 6), next = Tensor.randint(new Rng(89), 7, 12);
        assertHvpMatchesDifferences(m, () -> m.forward(ids, null).reshape(12, 7).crossEntropy(next));
    }
}
