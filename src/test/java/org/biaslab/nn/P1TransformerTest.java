package org.biaslab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.biaslab.tensor.DType;
import org.biaslab.tensor.Rng;
import org.biaslab.tensor.Shape;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

class P1TransformerTest {
    static Tensor bits(long seed, int... dims) {
        return Tensor.randint(new Rng(seed), 2, dims);
    }

    @Test
    void parameterNamesAndShapesFollowPyTorch() {
        Map<String, Tensor> p = P1Transformer.defaults(Init.f32(0)).namedParameters();
        assertEquals(List.of("embedding.weight", "positional_encoding.weight",
                "encoders.layers.0.self_attn.in_proj_weight", "encoders.layers.0.self_attn.in_proj_bias",
                "encoders.layers.0.self_attn.out_proj.weight", "encoders.layers.0.self_attn.out_proj.bias",
                "encoders.layers.0.linear1.weight", "encoders.layers.0.linear1.bias",
                "encoders.layers.0.linear2.weight", "encoders.layers.0.linear2.bias",
                "encoders.layers.0.norm1.weight", "encoders.layers.0.norm1.bias",
                "encoders.layers.0.norm2.weight", "encoders.layers.0.norm2.bias",
                "encoders.layers.1.self_attn.in_proj_weight", "encoders.layers.1.self_attn.in_proj_bias",
                "encoders.layers.1.self_attn.out_proj.weight", "encoders.layers.1.self_attn.out_proj.bias",
                "encoders.layers.1.linear1.weight", "encoders.layers.1.linear1.bias",
                "encoders.layers.1.linear2.weight", "encoders.layers.1.linear2.bias",
                "encoders.layers.1.norm1.weight", "encoders.layers.1.norm1.bias",
                "encoders.layers.1.norm2.weight", "encoders.layers.1.norm2.bias",
                "linear_head.weight", "linear_head.bias"), List.copyOf(p.keySet()));
        assertEquals(Shape.of(384, 128), p.get("encoders.layers.0.self_attn.in_proj_weight").shape());
        assertEquals(Shape.of(1024, 64), p.get("positional_encoding.weight").shape());
        assertEquals(Shape.of(1, 128), p.get("linear_head.weight").shape());
        assertArrayEquals(p.get("encoders.layers.0.linear1.weight").toFloatArray(),
                p.get("encoders.layers.1.linear1.weight").toFloatArray(), "PyTorch clones the first layer");
    }

    @Test
    void parameterNormAtInitIsAbout35point8() {
        double mean = 0;
        for (long seed = 0; seed < 5; seed++) {
            double sq = 0;
            for (var e : P1Transformer.defaults(Init.f32(seed)).namedParameters().entrySet()) {
                if (e.getKey().contains("positional_encoding")) continue;
                Tensor t = e.getValue().to(DType.F64);
                sq += t.mul(t).sum().item();
            }
            mean += Math.sqrt(sq) / 5;
        }
        assertEquals(35.8, mean, 0.5);
    }

    /** Without hooks the last layer computes the readout row alone; with any hook every row: same outputs and gradients. */
    @Test
    void readoutRowAloneMatchesTheFullLastLayer() {
        for (boolean normFirst : new boolean[] {false, true}) {
            Init init = Init.f32(3, 4);
            Encoder enc = new Encoder(new LayerConfig(32, 2, 32, Activation.RELU, normFirst, 1e-5, true), 2, normFirst, false, init);
            Tensor x = Tensor.randn(new Rng(5), DType.F32, 2, 7, 9, 32);
            Tensor[] last = valueAndGrads(enc, x, true), full = valueAndGrads(enc, x, false);
            for (int i = 0; i < last.length; i++) {
                float[] a = last[i].toFloatArray(), b = full[i].toFloatArray();
                assertEquals(b.length, a.length);
                for (int j = 0; j < a.length; j++) assertEquals(b[j], a[j], 2e-5 * Math.max(1, Math.abs(b[j])), "tensor " + i + " element " + j);
            }
        }
        P1Transformer m = new P1Transformer(32, 2, 2, 16, Init.f32(6));
        Tensor x = bits(7, 5, 11);
        float[] fast = m.forward(x).toFloatArray();
        try (var cap = m.hooks().capture("encoders.layers.1.hook_resid_post")) {
            float[] hooked = m.forward(x).toFloatArray();
            assertEquals(11, cap.last("encoders.layers.1.hook_resid_post").dim(-2), "a hook sees every position");
            for (int i = 0; i < fast.length; i++) assertEquals(hooked[i], fast[i], 2e-6, "output " + i);
        }
    }

    /**
     * Without hooks the first layer projects the token and position tables instead of the batch's rows
     * ({@code P1Inputs.projections}, from 4,096 rows on); with a hook it multiplies every row. In float64 the same
     * outputs and gradients to 1e-9, for one and two layers (the one layer reads out its last row), one model and an
     * ensemble, d 32 and the long sweep's d 4, with random parameters (biases 0 at init would hide their part).
     */
    @Test
    void projectedTablesMatchTheProductsOverTheRows() {
        // d 32 at n 13, and the long sweep's d 4 (heads of width 2) at n 64
        for (int[] dn : new int[][] {{32, 13}, {4, 64}}) for (int layers : new int[] {1, 2}) {
            for (int members : new int[] {1, 3}) {
                int d = dn[0], n = dn[1];
                P1Transformer m = new P1Transformer(d, layers, 2, 64, Init.forLoading(DType.F64, members));
                java.util.Map<String, Tensor> random = new java.util.LinkedHashMap<>();
                int k = 0;
                for (var p : m.namedParameters().entrySet()) random.put(p.getKey(), Tensor.randn(new Rng(100 + k++), DType.F64, p.getValue().shape().dims()).mul(0.3));
                m.load(random);
                int batch = (4096 / members + n - 1) / n; // at least 4,096 rows in all: the rewrites' path
                Tensor x = members == 1 ? bits(11, batch, n) : bits(11, members, batch, n);
                Tensor[] fast = outputAndGrads(m, x, false), hooked = outputAndGrads(m, x, true);
                for (int i = 0; i < fast.length; i++) {
                    double[] a = fast[i].toDoubleArray(), b = hooked[i].toDoubleArray();
                    for (int j = 0; j < a.length; j++) {
                        assertEquals(b[j], a[j], 1e-9 * Math.max(1, Math.abs(b[j])), "d " + d + ", " + layers + " layers, E " + members + ", tensor " + i + " element " + j);
                    }
                }
            }
        }
    }

    /** The model's outputs and every parameter's gradient of their squares' sum, with or without a hook on layer 0's input. */
    private static Tensor[] outputAndGrads(P1Transformer m, Tensor x, boolean hooked) {
        for (Tensor p : m.namedParameters().values()) p.zeroGrad();
        java.util.List<Tensor> out = new java.util.ArrayList<>();
        try (var cap = hooked ? m.hooks().capture("encoders.layers.0.self_attn.hook_in") : null) {
            Tensor y = m.forward(x);
            y.mul(y).sum().backward();
            out.add(y.detach());
        }
        for (Tensor p : m.namedParameters().values()) out.add(p.grad());
        return out.toArray(Tensor[]::new);
    }

    /** The last row of the encoder's output and the gradients of a weighting of it for every parameter and x. */
    private static Tensor[] valueAndGrads(Encoder enc, Tensor x0, boolean lastOnly) {
        Tensor x = x0.detach().requiresGrad(true);
        for (Tensor p : enc.namedParameters().values()) p.zeroGrad();
        int t = x.dim(-2);
        Tensor y = lastOnly ? enc.forwardLast(x, false, null) : enc.forward(x, false, null).slice(-2, t - 1, t);
        y.mul(Tensor.randn(new Rng(9), DType.F32, y.shape().dims())).sum().backward();
        java.util.List<Tensor> out = new java.util.ArrayList<>(java.util.List.of(y.detach(), x.grad()));
        for (Tensor p : enc.namedParameters().values()) out.add(p.grad());
        return out.toArray(Tensor[]::new);
    }

    /** The module's output against the same computation written out from engine primitives. */
    @Test
    void forwardEqualsAHandBuiltPostLnEncoder() {
        int d = 8, heads = 2, n = 5;
        P1Transformer m = new P1Transformer(d, 2, heads, 16, Init.f32(3));
        Map<String, Tensor> p = m.namedParameters();
        Tensor x = bits(1, 3, n);
        Tensor tok = p.get("embedding.weight").embedding(x);
        Tensor pos = p.get("positional_encoding.weight").slice(0, 0, n).expand(3, n, d / 2);
        Tensor h = Tensor.concat(2, tok, pos);
        for (int l = 0; l < 2; l++) {
            String pre = "encoders.layers." + l + ".";
            Tensor w = p.get(pre + "self_attn.in_proj_weight"), b = p.get(pre + "self_attn.in_proj_bias");
            Tensor[] headsOut = new Tensor[heads];
            int dh = d / heads;
            for (int hd = 0; hd < heads; hd++) {
                Tensor q = h.matmul(w.slice(0, hd * dh, (hd + 1) * dh).transpose(0, 1)).add(b.slice(0, hd * dh, (hd + 1) * dh));
                Tensor k = h.matmul(w.slice(0, d + hd * dh, d + (hd + 1) * dh).transpose(0, 1)).add(b.slice(0, d + hd * dh, d + (hd + 1) * dh));
                Tensor v = h.matmul(w.slice(0, 2 * d + hd * dh, 2 * d + (hd + 1) * dh).transpose(0, 1)).add(b.slice(0, 2 * d + hd * dh, 2 * d + (hd + 1) * dh));
                Tensor s = q.matmul(k.transpose(1, 2)).div(Math.sqrt(dh));
                Tensor e = s.sub(s.max(-1, true)).exp();
                headsOut[hd] = e.div(e.sum(true, -1)).matmul(v);
            }
            Tensor att = Tensor.concat(2, headsOut).matmul(p.get(pre + "self_attn.out_proj.weight").transpose(0, 1)).add(p.get(pre + "self_attn.out_proj.bias"));
            h = ln(h.add(att), p.get(pre + "norm1.weight"), p.get(pre + "norm1.bias"));
            Tensor ff = h.matmul(p.get(pre + "linear1.weight").transpose(0, 1)).add(p.get(pre + "linear1.bias")).relu()
                    .matmul(p.get(pre + "linear2.weight").transpose(0, 1)).add(p.get(pre + "linear2.bias"));
            h = ln(h.add(ff), p.get(pre + "norm2.weight"), p.get(pre + "norm2.bias"));
        }
        Tensor expected = h.slice(1, n - 1, n).matmul(p.get("linear_head.weight").transpose(0, 1)).add(p.get("linear_head.bias")).reshape(3);
        float[] got = m.forward(x).toFloatArray(), want = expected.toFloatArray();
        for (int i = 0; i < 3; i++) assertEquals(want[i], got[i], 1e-5);
    }

    private static Tensor ln(Tensor x, Tensor g, Tensor b) {
        Tensor c = x.sub(x.mean(true, -1));
        return c.div(c.mul(c).mean(true, -1).add(1e-5).sqrt()).mul(g).add(b);
    }

    @Test
    void anEnsembleEqualsSeparateModelsBitForBit() {
        long[] seeds = {5, 6, 7};
        P1Transformer ens = new P1Transformer(16, 2, 2, 32, Init.f32(seeds));
        Tensor x = bits(9, 3, 4, 6); // (E, B, n): each member its own data
        Tensor y = ens.forward(x);
        assertEquals(Shape.of(3, 4), y.shape());
        y.mul(y).sum().backward();
        for (int e = 0; e < 3; e++) {
            P1Transformer one = new P1Transformer(16, 2, 2, 32, Init.f32(seeds[e]));
            Tensor ye = one.forward(x.slice(0, e, e + 1).reshape(4, 6));
            assertArrayEquals(ye.toFloatArray(), y.slice(0, e, e + 1).reshape(4).toFloatArray(), "member " + e);
            ye.mul(ye).sum().backward();
            for (var entry : one.namedParameters().entrySet()) {
                Tensor g = ens.namedParameters().get(entry.getKey()).grad();
                Tensor ge = g.slice(0, e, e + 1).reshape(entry.getValue().shape().dims());
                assertArrayEquals(entry.getValue().grad().toFloatArray(), ge.toFloatArray(), entry.getKey() + " member " + e);
            }
        }
    }

    @Test
    void hooksSeeEveryLayerNormInputAndAttentionPattern() {
        P1Transformer m = new P1Transformer(16, 2, 2, 32, Init.f32(0));
        try (var ln = m.hooks().capture("encoders.layers.*.norm*.hook_in");
             var pat = m.hooks().capture("**.hook_pattern")) {
            m.forward(bits(1, 4, 6));
            assertEquals(List.of("encoders.layers.0.norm1.hook_in", "encoders.layers.0.norm2.hook_in",
                    "encoders.layers.1.norm1.hook_in", "encoders.layers.1.norm2.hook_in"), List.copyOf(ln.values().keySet()));
            assertEquals(Shape.of(4, 6, 16), ln.last("encoders.layers.1.norm2.hook_in").shape());
            Tensor p = pat.last("encoders.layers.0.self_attn.hook_pattern");
            assertEquals(Shape.of(4, 2, 6, 6), p.shape());
            for (double s : p.sum(false, -1).toDoubleArray()) assertEquals(1, s, 1e-5);
        }
        m.forward(bits(1, 4, 6)); // closed captures record nothing more
    }

    @Test
    void aHookCanReplaceAnActivation() {
        P1Transformer m = new P1Transformer(16, 1, 2, 32, Init.f32(0));
        Tensor x = bits(2, 3, 5);
        float[] before = m.forward(x).toFloatArray();
        try (var h = m.hooks().add("encoders.layers.0.hook_resid_post", (name, t) -> t.mul(0))) {
            float[] zeroed = m.forward(x).toFloatArray();
            float bias = m.namedParameters().get("linear_head.bias").toFloatArray()[0];
            for (float v : zeroed) assertEquals(bias, v, 1e-6);
        }
        assertArrayEquals(before, m.forward(x).toFloatArray());
    }
}
