package org.biaslab.io.onnx;

import java.util.List;
import java.util.Map;

/** An ONNX {@code NodeProto}: one operator application, e.g. {@code /encoder/layer.0/attention/self/query/MatMul}. */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs, Map<String, OnnxAttribute> attributes) {
    /** The attribute {@code name}, or null. */
    public OnnxAttribute attribute(String name) {
        return attributes.get(name);
    }
}
