package org.biaslab.nn.t5;

import static org.biaslab.nn.HfFixture.assertStd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.biaslab.io.hf.T5Config;
import org.biaslab.nn.Activation;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class T5InitTest {
    static final T5Config CONFIG = new T5Config(300, 64, 16, 96, 2, 1, 4, 32, 128, 1e-6, "gelu_new", true, false, 1.0);

    @Test
    void parametersFollowHuggingFacesScheme() {
        Map<String, Tensor> p = T5.random(CONFIG, Activation.GELU_TANH, new T5.Parts(true, true), 3).namedParameters();
        double d = 64, dKv = 16, h = 4, dFf = 96;
        assertStd(1, p.get("shared.weight"));
        assertStd(1, p.get("lm_head.weight"));
        assertStd(1 / Math.sqrt(d * dKv), p.get("encoder.block.0.layer.0.SelfAttention.q.weight"));
        assertStd(1 / Math.sqrt(d), p.get("decoder.block.0.layer.1.EncDecAttention.k.weight"));
        assertStd(1 / Math.sqrt(h * dKv), p.get("encoder.block.1.layer.0.SelfAttention.o.weight"));
        assertStd(1 / Math.sqrt(d), p.get("encoder.block.0.layer.1.DenseReluDense.wi_0.weight"));
        assertStd(1 / Math.sqrt(dFf), p.get("decoder.block.0.layer.2.DenseReluDense.wo.weight"));
        for (float w : p.get("encoder.final_layer_norm.weight").toFloatArray()) assertEquals(1f, w);
    }

    @Test
    void theSeedDecides() {
        T5 a = T5.random(CONFIG, Activation.GELU_TANH, new T5.Parts(true, false), 1), b = a.randomInit(1), c = a.randomInit(2);
        float[] qa = a.namedParameters().get("encoder.block.0.layer.0.SelfAttention.q.weight").toFloatArray();
        assertArrayEquals(qa, b.namedParameters().get("encoder.block.0.layer.0.SelfAttention.q.weight").toFloatArray());
        assertNotEquals(qa[0], c.namedParameters().get("encoder.block.0.layer.0.SelfAttention.q.weight").toFloatArray()[0]);
        assertFalse(b.namedParameters().containsKey("lm_head.weight")); // the copy keeps the head layout
    }
}
