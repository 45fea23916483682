package org.biaslab.io.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX model biaslab reads: the graph's nodes in order, its initializers (weights) by name, and the
 * names of its inputs and outputs. {@link #read} memory-maps the file; weights stay views into the mapping until
 * converted.
 */
public record OnnxModel(Path file, List<OnnxNode> nodes, Map<String, OnnxTensor> initializers, List<String> inputs,
                        List<String> outputs) {
    /** Reads {@code file}; a truncated or malformed file gives a {@link org.biaslab.io.FormatException} naming it. */
    public static OnnxModel read(Path file) throws IOException {
        return OnnxWire.read(file);
    }

    /** The nodes that take {@code value} as an input, in graph order. */
    public List<OnnxNode> consumers(String value) {
        List<OnnxNode> out = new ArrayList<>();
        for (OnnxNode n : nodes) if (n.inputs().contains(value)) out.add(n);
        return out;
    }

    /** The node that produces {@code value}, or null for graph inputs and initializers. */
    public OnnxNode producer(String value) {
        for (OnnxNode n : nodes) if (n.outputs().contains(value)) return n;
        return null;
    }

    /** The constant value of {@code value}: an initializer or the output of a {@code Constant} node; null otherwise. */
    public OnnxTensor constant(String value) {
        OnnxTensor t = initializers.get(value);
        if (t != null) return t;
        OnnxNode p = producer(value);
        return p != null && p.opType().equals("Constant") && p.attribute("value") != null ? p.attribute("value").t() : null;
    }
}
