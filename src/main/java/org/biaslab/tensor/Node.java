package org.biaslab.tensor;

/** One recorded op on the autodiff tape: its inputs and the function mapping the output's gradient to theirs. */
final class Node {
    final String op;
    final Tensor[] inputs;
    Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** Gradients of the inputs (null where an input needs none) given the gradient of the output. */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }
}
