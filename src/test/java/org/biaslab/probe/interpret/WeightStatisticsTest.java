package org.biaslab.probe.interpret;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Map;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.HuggingFace;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Per-head weight norms against the checkpoints' tensors indexed by hand, for each of the four layouts. */
class WeightStatisticsTest {
    /** ‖w[r0:r1, c0:c1]‖_F of a (R, C) tensor. */
    private static double block(Tensor w, int r0, int r1, int c0, int c1) {
        double[] x = w.toDoubleArray();
        int cols = w.dim(1);
        double s = 0;
        for (int r = r0; r < r1; r++) for (int c = c0; c < c1; c++) s += x[r * cols + c] * x[r * cols + c];
        return Math.sqrt(s);
    }

    @Test
    void gpt2SlicesCAttnColumnsAndCProjRows() throws IOException {
        PretrainedModel m = HuggingFace.load(HfFixture.dir("gpt2"));
        Map<String, Tensor> p = m.module().namedParameters();
        WeightStatistics.Report r = WeightStatistics.of(m.module());
        Tensor qkv = p.get("h.1.attn.c_attn.weight"), o = p.get("h.1.attn.c_proj.weight"); // (d, 3d) and (d, d), stored (in, out)
        int d = qkv.dim(0), heads = (int) r.heads().stream().filter(h -> h.attention().equals("h.1.attn")).count(), dh = d / heads;
        for (WeightStatistics.Head h : r.heads()) {
            if (!h.attention().equals("h.1.attn")) continue;
            int c = h.head() * dh;
            assertEquals(block(qkv, 0, d, c, c + dh), h.q(), 1e-6);
            assertEquals(block(qkv, 0, d, d + c, d + c + dh), h.k(), 1e-6);
            assertEquals(block(qkv, 0, d, 2 * d + c, 2 * d + c + dh), h.v(), 1e-6);
            assertEquals(block(o, c, c + dh, 0, d), h.o(), 1e-6);
        }
        Tensor fc = p.get("h.0.mlp.c_fc.weight");
        WeightStatistics.Mlp mlp = r.mlps().getFirst();
        assertEquals("h.0.mlp", mlp.block());
        assertEquals(block(fc, 0, fc.dim(0), 0, fc.dim(1)), mlp.in(), 1e-6);
        assertEquals(m.layers(), r.mlps().size());
    }

    @Test
    void bertVitAndT5SliceQueryRowsAndOutputColumns() throws IOException {
        for (String name : new String[] {"bert", "vit", "t5"}) {
            PretrainedModel m = HuggingFace.load(HfFixture.dir(name));
            Map<String, Tensor> p = m.module().namedParameters();
            WeightStatistics.Report r = WeightStatistics.of(m.module());
            WeightStatistics.Head h = r.heads().get(1);
            String a = h.attention();
            // BERT's module is attention.self, ViT's attention (holding attention.query), T5's SelfAttention
            String qkv = switch (name) { case "bert" -> a + ".%s.weight"; case "vit" -> a + ".attention.%s.weight"; default -> a + ".%.1s.weight"; };
            Tensor q = p.get(String.format(qkv, "query")), v = p.get(String.format(qkv, "value"));
            Tensor o = p.get(switch (name) { case "bert" -> a.substring(0, a.lastIndexOf('.')) + ".output.dense.weight"; case "vit" -> a + ".output.dense.weight"; default -> a + ".o.weight"; }); // (d, H·dh)
            int dh = q.dim(0) / (int) r.heads().stream().filter(x -> x.attention().equals(a)).count();
            assertEquals(block(q, dh, 2 * dh, 0, q.dim(1)), h.q(), 1e-6, name);
            assertEquals(block(o, 0, o.dim(0), dh, 2 * dh), h.o(), 1e-6, name);
            double total = 0;
            for (WeightStatistics.Head x : r.heads()) if (x.attention().equals(a)) total += x.v() * x.v();
            assertEquals(block(v, 0, v.dim(0), 0, v.dim(1)), Math.sqrt(total), 1e-6, name + ": the heads partition W_V");
            // one MLP per block (T5: encoder and decoder blocks)
            assertEquals(m.layers(), r.mlps().size(), name);
        }
    }
}
