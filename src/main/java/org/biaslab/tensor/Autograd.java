package org.biaslab.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation over the tape of {@link Node}s. Backward rules are written with Tensor ops, so a
 * pass with {@code createGraph} records its own tape and can be differentiated again (Hessian-vector products).
 */
public final class Autograd {
    private Autograd() {}

    /** Records {@code op} on the tape when grad mode is on and an input needs a gradient; returns {@code out}. */
    static Tensor record(String op, Tensor out, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return out;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                out.gradFn = new Node(op, inputs, backward);
                return out;
            }
        }
        return out;
    }

    /** Accumulates d(root)/d(leaf) into every reachable leaf's {@code grad}; {@code root} must be a scalar. */
    public static void backward(Tensor root) {
        if (root.shape().size() != 1) {
            throw new ShapeException("backward: needs a scalar output, got shape " + root.shape());
        }
        run(root, Tensor.onesLike(root), null, false, false);
    }

    /**
     * Gradients of {@code root} with respect to {@code wrt} (zeros where unreachable), leaving {@code grad} fields
     * alone. With {@code createGraph} the result is itself differentiable.
     */
    public static Tensor[] grad(Tensor root, Tensor[] wrt, Tensor gradRoot, boolean createGraph) {
        return grad(root, wrt, gradRoot, createGraph, createGraph);
    }

    /**
     * As {@link #grad(Tensor, Tensor[], Tensor, boolean)}; with {@code retainGraph} the tape behind {@code root} stays
     * usable for further passes (Hessian-vector products that differentiate one gradient graph again and again).
     */
    public static Tensor[] grad(Tensor root, Tensor[] wrt, Tensor gradRoot, boolean createGraph, boolean retainGraph) {
        if (gradRoot == null) {
            if (root.shape().size() != 1) throw new ShapeException("grad: a non-scalar output " + root.shape() + " needs gradRoot");
            gradRoot = Tensor.onesLike(root);
        }
        Map<Tensor, Tensor> found = new IdentityHashMap<>();
        for (Tensor t : wrt) found.put(t, null);
        run(root, gradRoot, found, createGraph, retainGraph || createGraph);
        Tensor[] out = new Tensor[wrt.length];
        for (int i = 0; i < wrt.length; i++) {
            Tensor g = found.get(wrt[i]);
            out[i] = g != null ? g : Tensor.zeros(wrt[i].dtype(), wrt[i].shape(), wrt[i].device());
        }
        return out;
    }

    private static void run(Tensor root, Tensor gradRoot, Map<Tensor, Tensor> wrt, boolean createGraph, boolean retain) {
        if (!root.requiresGrad()) throw new IllegalStateException("backward: the output does not require a gradient");
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, gradRoot);
        try (var mode = createGraph ? GradMode.on() : GradMode.off()) {
            for (Tensor t : order) {
                Tensor g = grads.remove(t);
                if (g == null) continue;
                if (wrt != null && wrt.containsKey(t)) {
                    wrt.put(t, g);
                }
                Node node = t.gradFn;
                if (node == null) {
                    if (wrt == null) t.grad = t.grad == null ? g : t.grad.add(g);
                    continue;
                }
                if (node.backward == null) {
                    throw new IllegalStateException("backward: the graph through '" + node.op
                            + "' was already freed by an earlier backward (use grad(..., createGraph=true) to keep it)");
                }
                Tensor[] gin = node.backward.apply(g);
                if (!retain) node.backward = null;
                for (int i = 0; i < node.inputs.length; i++) {
                    Tensor in = node.inputs[i];
                    if (in == null || gin[i] == null || !in.requiresGrad()) continue;
                    if (!gin[i].shape().equals(in.shape())) {
                        throw new IllegalStateException("backward of '" + node.op + "' produced gradient " + gin[i].shape()
                                + " for input " + in.shape());
                    }
                    grads.merge(in, gin[i], Tensor::add);
                }
            }
        }
    }

    /** Tensors reachable from root through the tape, each after every tensor that consumes it. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> post = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] inputs = t.gradFn == null ? new Tensor[0] : t.gradFn.inputs;
            if (next < inputs.length) {
                top[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && seen.put(in, true) == null) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                post.add(t);
            }
        }
        java.util.Collections.reverse(post);
        return post;
    }
}
