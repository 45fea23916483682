package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.biaslab.nn.HfFixture;
import org.biaslab.nn.bert.LangChain4jModels;
import org.junit.jupiter.api.Test;

/** {@code biaslab analyse MODEL --spectra} on all-MiniLM-L6-v2. */
class SpectraReportTest {
    @Test
    void reportsSpectraSmoothingAndACensusThatSumsToAHundredPercent() throws Exception {
        Path onnx = LangChain4jModels.extracted("all-minilm-l6-v2.onnx").onnx();
        Object[] r = AnalyseCommandTest.analyse("analyse", onnx.toString(), "--spectra", "--census", "--fold-ln",
                "--text", "Transformers are not inherently low-pass filters.", "--json");
        assertEquals(0, r[0], (String) r[2]);
        JsonNode j = new ObjectMapper().readTree((String) r[1]);
        assertEquals(6, j.get("layers").size());
        assertEquals(1, j.get("inputs").asInt());
        assertEquals(7, j.get("hidden_states").size());
        for (JsonNode l : j.get("layers")) {
            assertEquals(12, l.get("heads").asInt());
            JsonNode c = l.get("census");
            assertEquals(12, c.get("smoothing").asLong() + c.get("sharpening").asLong() + c.get("tied").asLong(), "12 heads × 1 input");
            assertEquals(100, c.get("smoothing_pct").asDouble() + c.get("sharpening_pct").asDouble() + c.get("tied_pct").asDouble(), 1e-9);
            assertTrue(l.get("ov_max_abs_eig_mean").asDouble() > 0);
        }
        assertEquals("embeddings.LayerNorm", j.get("layers").get(0).get("norm").asText());
        for (JsonNode s : j.get("hidden_states")) assertTrue(Math.abs(s.get("cosine").asDouble()) <= 1);

    }

    @Test
    void flippingEveryGammaSignNegatesTheTraceOfTheFoldedMaps() throws Exception {
        String bert = HfFixture.dir("bert").toString(); // random BERT: 2 layers, d = 32, 4 heads
        JsonNode folded = json(AnalyseCommandTest.analyse("analyse", bert, "--spectra", "--fold-ln", "--json"));
        JsonNode flipped = json(AnalyseCommandTest.analyse("analyse", bert, "--spectra", "--flip-ln", "1", "--json"));
        assertEquals(List.of("embeddings.LayerNorm.weight", "encoder.layer.0.output.LayerNorm.weight"),
                List.of(flipped.get("flipped_norms").get(0).asText(), flipped.get("flipped_norms").get(1).asText()));
        for (int l = 0; l < 2; l++) {
            JsonNode a = folded.get("layers").get(l), b = flipped.get("layers").get(l);
            assertEquals(-a.get("ov_trace_mean").asDouble(), b.get("ov_trace_mean").asDouble(), 1e-9 * Math.abs(a.get("ov_trace_mean").asDouble()));
            assertEquals(a.get("ov_max_abs_eig_mean").asDouble(), b.get("ov_max_abs_eig_mean").asDouble(), 1e-9);
            assertEquals(1 - a.get("ov_negative_fraction").asDouble(), b.get("ov_negative_fraction").asDouble(), 1e-9);
        }
    }

    private static JsonNode json(Object[] r) throws Exception {
        assertEquals(0, r[0], (String) r[2]);
        return new ObjectMapper().readTree((String) r[1]);
    }

    @Test
    void aCensusNeedsText() throws Exception {
        Object[] r = AnalyseCommandTest.analyse("analyse", HfFixture.dir("bert").toString(), "--spectra", "--census");
        assertEquals(2, r[0]);
        assertTrue(((String) r[2]).contains("--census needs --text or --file"), (String) r[2]);
    }
}
