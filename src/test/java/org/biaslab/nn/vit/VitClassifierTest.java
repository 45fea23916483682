package org.biaslab.nn.vit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Init;
import org.biaslab.nn.SpectralAttention;
import org.biaslab.nn.Spectrum;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Shape;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class VitClassifierTest {
    private static final VitConfig SMALL = new VitConfig(16, 2, 2, 32, "gelu", 1e-6, 8, 4, 1, true, 0.02);

    @Test
    void logitsAndMapsHaveTheirShapesForEveryVariant() {
        for (AttentionVariant v : AttentionVariant.values()) {
            VitClassifier m = new VitClassifier(SMALL, v, 3, Init.f32(0));
            assertEquals(Shape.of(5, 3), m.forward(Tensor.zeros(5, 1, 8, 8)).shape(), v.label());
            VitLayer layer = m.vit().encoderLayers().get(1);
            assertEquals(Shape.of(2, 16, 16), layer.attention().valueOutputMaps().shape());
            if (v != AttentionVariant.BASELINE) {
                assertEquals(v.spectrum(), assertInstanceOf(SpectralAttention.class, layer.attention()).spectrum());
            }
        }
        assertTrue(new VitClassifier(SMALL, AttentionVariant.SHARPEN, 3, Init.f32(0)).namedParameters().containsKey("vit.encoder.layer.0.attention.theta"));
    }

    @Test
    void presetsHaveTheirShapes() {
        VitConfig tiny = VitClassifier.tiny(28, 7, 1);
        assertEquals(192, tiny.hiddenSize());
        assertEquals(12, tiny.numHiddenLayers());
        assertEquals(3, tiny.numAttentionHeads());
        assertEquals(768, tiny.intermediateSize());
        VitConfig mnist = VitClassifier.mnist();
        assertEquals(16, mnist.patches());
        VitClassifier m = new VitClassifier(mnist, AttentionVariant.BASELINE, 10, Init.f32(0));
        assertEquals(Shape.of(2, 10), m.forward(Tensor.zeros(2, 1, 28, 28)).shape());
        // embeddings 64·49 + 64 + 64 + 17·64, per layer 4·(64² + 64) + 2·64·128 + 128 + 64 + 4·64, final LN, head 64·10 + 10
        assertEquals(3136 + 64 + 64 + 1088 + 4 * (16640 + 16384 + 192 + 256) + 128 + 650, m.parameterCount());
    }

    @Test
    void ensembleMembersEqualSingleModelsWithTheirSeeds() {
        long[] seeds = {3, 4};
        for (AttentionVariant v : AttentionVariant.values()) {
            VitClassifier ens = new VitClassifier(SMALL, v, 3, Init.f32(seeds));
            Tensor x = Tensor.uniform(new Rng(5), DType.F32, 0, 1, 2, 4, 1, 8, 8); // (E, B, C, H, W)
            Tensor logits = ens.forward(x);
            assertEquals(Shape.of(2, 4, 3), logits.shape());
            logits.mul(logits).sum().backward();
            for (int e = 0; e < 2; e++) {
                VitClassifier one = new VitClassifier(SMALL, v, 3, Init.f32(seeds[e]));
                Tensor l = one.forward(x.slice(0, e, e + 1).reshape(4, 1, 8, 8));
                l.mul(l).sum().backward();
                assertArrayEquals(l.toFloatArray(), logits.slice(0, e, e + 1).toFloatArray(), v.label() + " member " + e);
                for (var p : one.namedParameters().entrySet()) {
                    Tensor g = ens.namedParameters().get(p.getKey()).grad();
                    assertArrayEquals(p.getValue().grad().toFloatArray(), g.slice(0, e, e + 1).toFloatArray(), v.label() + " member " + e + " " + p.getKey());
                }
            }
        }
    }

    @Test
    void ensembleImagesNeedTheMemberAxis() {
        VitClassifier ens = new VitClassifier(SMALL, AttentionVariant.SMOOTH, 3, Init.f32(1, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> ens.forward(Tensor.zeros(4, 1, 8, 8)));
        assertEquals("vit: pixel values [4, 1, 8, 8] must be (E, B, 1, 8, 8)", e.getMessage());
    }

    @Test
    void variantsParseFromTheirLabels() {
        assertEquals(AttentionVariant.SHARPEN, AttentionVariant.parse("-"));
        assertEquals(AttentionVariant.SMOOTH, AttentionVariant.parse(Spectrum.SMOOTH.sign()));
        assertEquals(AttentionVariant.BASELINE, AttentionVariant.parse("baseline"));
        var e = assertThrows(IllegalArgumentException.class, () -> AttentionVariant.parse("x"));
        assertEquals("unknown attention variant 'x' (baseline, +, -)", e.getMessage());
    }
}
