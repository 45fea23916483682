package org.biaslab.io.onnx;

/**
 * An ONNX {@code AttributeProto} of the kinds biaslab reads: a float {@code f}, an int {@code i}, a string {@code s},
 * a tensor {@code t} (Constant's {@code value}), or int lists {@code ints}; unset fields are 0, null or empty.
 */
public record OnnxAttribute(String name, float f, long i, String s, OnnxTensor t, long[] ints) {}
