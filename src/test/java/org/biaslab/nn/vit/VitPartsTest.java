package org.biaslab.nn.vit;

import static org.biaslab.nn.HfFixture.assertStd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.biaslab.io.hf.VitConfig;
import org.biaslab.nn.Activation;
import org.biaslab.nn.Init;
import org.biaslab.nn.PretrainedModel.Input;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class VitPartsTest {
    /** The patch embedding equals a Conv2d with kernel = stride = P, summed out loop by loop. */
    @Test
    void patchEmbeddingIsAStridedConvolution() {
        int b = 2, c = 3, h = 8, w = 12, p = 4, d = 5;
        PatchEmbedding pe = new PatchEmbedding(d, c, p, Init.f32(1));
        Tensor x = Tensor.randn(new Rng(2), DType.F32, b, c, h, w);
        float[] out = pe.forward(x).toFloatArray(), px = x.toFloatArray();
        float[] k = pe.namedParameters().get("weight").toFloatArray(), bias = pe.namedParameters().get("bias").toFloatArray();
        int n = (h / p) * (w / p);
        for (int i = 0; i < b; i++) {
            for (int py = 0; py < h / p; py++) {
                for (int pxx = 0; pxx < w / p; pxx++) {
                    for (int o = 0; o < d; o++) {
                        double s = bias[o];
                        for (int ch = 0; ch < c; ch++) {
                            for (int u = 0; u < p; u++) {
                                for (int v = 0; v < p; v++) {
                                    s += k[((o * c + ch) * p + u) * p + v] * px[((i * c + ch) * h + py * p + u) * w + pxx * p + v];
                                }
                            }
                        }
                        assertEquals(s, out[(i * n + py * (w / p) + pxx) * d + o], 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void randomInitFollowsHuggingFacesScheme() {
        VitConfig c = new VitConfig(64, 1, 4, 128, "gelu", 1e-12, 64, 8, 3, true, 0.02);
        Map<String, Tensor> p = Vit.random(c, Activation.GELU, 4).namedParameters();
        assertStd(0.02, p.get("embeddings.patch_embeddings.projection.weight"));
        assertStd(0.02, p.get("embeddings.position_embeddings"));
        assertStd(0.02, p.get("encoder.layer.0.attention.attention.query.weight"));
        assertStd(0.02, p.get("encoder.layer.0.output.dense.weight"));
        for (float v : p.get("layernorm.weight").toFloatArray()) assertEquals(1f, v);
        for (float v : p.get("encoder.layer.0.layernorm_before.bias").toFloatArray()) assertEquals(0f, v);
        for (float v : p.get("encoder.layer.0.intermediate.dense.bias").toFloatArray()) assertEquals(0f, v);
    }

    @Test
    void imagesOfAnotherSizeAreRefused() {
        Vit m = new Vit(new VitConfig(16, 1, 2, 32, "gelu", 1e-12, 16, 8, 3, true, 0.02), Activation.GELU, Init.f32(0));
        Exception e = assertThrows(IllegalArgumentException.class, () -> m.hiddenStates(Input.pixels(Tensor.zeros(1, 3, 24, 24))));
        assertTrue(e.getMessage().equals("vit: pixel values [1, 3, 24, 24] must be (B, 3, 16, 16)"), e.getMessage());
    }
}
