package org.biaslab.nn.bert;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Path;
import org.biaslab.io.onnx.ModelJar;
import org.junit.jupiter.api.Assumptions;

/** The langchain4j embeddings jars on the test class path (test-scope dependencies), extracted under target/. */
public final class LangChain4jModels {
    private LangChain4jModels() {}

    /** The model and tokenizer of the jar holding {@code onnxName} at its root; skips the test when it is absent. */
    public static ModelJar extracted(String onnxName) throws IOException {
        URL url = ClassLoader.getSystemResource(onnxName);
        Assumptions.assumeTrue(url != null, "the jar with " + onnxName + " (dev.langchain4j:langchain4j-embeddings-*, test scope) is not on the class path");
        Path jar = Path.of(java.net.URI.create(((JarURLConnection) url.openConnection()).getJarFileURL().toString()));
        return ModelJar.extract(jar, Path.of("target", "langchain4j-models"));
    }
}
