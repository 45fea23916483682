package org.biaslab.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation over the tape of {@link Node}s. Backward rules are written with Tensor ops, so a
 * pass with {@code createGraph} records its own tape and can be differentiated again (Hessian-vector products).
 */
public final class Autograd {
    private Autograd() {}

    /** Records {@code op} on the tape when grad mode is on and an input needs a gradient; returns {@code out}. */
    static Tensor record(String op, Tensor out, Node.Backward backward, Tensor... inputs) {
        recordAll(op, new Tensor[] {out}, g -> backward.apply(g[0]), inputs);
        return out;
    }

    /**
     * Records an op with several outputs (null ones are skipped) as one node, whose backward function receives all
     * the outputs' gradients at once: a fused backward pass recorded for second derivatives.
     */
    static void recordAll(String op, Tensor[] outs, Node.MultiBackward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                Node node = new Node(op, inputs, outs, backward);
                for (Tensor out : outs) if (out != null) out.gradFn = node;
                return;
            }
        }
    }

    /** Accumulates d(root)/d(leaf) into every reachable leaf's {@code grad}; {@code root} must be a scalar. */
    public static void backward(Tensor root) {
        if (root.shape().size() != 1) {
            throw new ShapeException("backward: needs a scalar output, got shape " + root.shape());
        }
        backward(root, Tensor.onesLike(root));
    }

    /**
     * As {@link #backward(Tensor)}, seeded with {@code seed} (a one-element tensor, 1 for the plain gradient) instead of
     * a one made on the host: a captured CUDA graph cannot copy from the host, so its seed is made on the GPU first.
     */
    public static void backward(Tensor root, Tensor seed) {
        if (root.shape().size() != 1 || !seed.shape().equals(root.shape())) {
            throw new ShapeException("backward: needs a scalar output and a seed of its shape, got " + root.shape() + " and " + seed.shape());
        }
        run(new Tensor[] {root}, new Tensor[] {seed}, null, false, false);
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
        return grad(new Tensor[] {root}, new Tensor[] {gradRoot}, wrt, createGraph, retainGraph);
    }

    /**
     * Gradients of Σ_i ⟨seeds_i, roots_i⟩ with respect to {@code wrt} in one pass from all the roots: a Hessian-vector
     * product seeds the gradients ∇_θ L with v without building the dot product on the tape. Roots that need no
     * gradient (constants) add nothing.
     */
    public static Tensor[] grad(Tensor[] roots, Tensor[] seeds, Tensor[] wrt, boolean createGraph, boolean retainGraph) {
        if (roots.length != seeds.length) throw new IllegalArgumentException("grad: " + roots.length + " roots for " + seeds.length + " seeds");
        for (int i = 0; i < roots.length; i++) {
            if (!seeds[i].shape().equals(roots[i].shape())) {
                throw new ShapeException("grad: seed " + seeds[i].shape() + " for root " + roots[i].shape());
            }
        }
        Map<Tensor, Tensor> found = new IdentityHashMap<>();
        for (Tensor t : wrt) found.put(t, null);
        run(roots, seeds, found, createGraph, retainGraph || createGraph);
        Tensor[] out = new Tensor[wrt.length];
        for (int i = 0; i < wrt.length; i++) {
            Tensor g = found.get(wrt[i]);
            out[i] = g != null ? g : Tensor.zeros(wrt[i].dtype(), wrt[i].shape(), wrt[i].device());
        }
        return out;
    }

    private static void run(Tensor[] roots, Tensor[] seeds, Map<Tensor, Tensor> wrt, boolean createGraph, boolean retain) {
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        for (int i = 0; i < roots.length; i++) if (roots[i].requiresGrad()) grads.merge(roots[i], seeds[i], Tensor::add);
        if (grads.isEmpty()) throw new IllegalStateException("backward: the output does not require a gradient");
        List<Node> order = topologicalOrder(roots);
        // Without a recorded tape, the storages this pass allocates are reachable only through the gradients it
        // holds: the others are dead after each node, and their arrays go to the pool for the next ops' outputs.
        try (var mode = createGraph ? GradMode.on() : GradMode.off(); var pass = createGraph ? null : ArrayPool.open()) {
            for (Node node : order) {
                Tensor[] gout = new Tensor[node.outputs.length];
                boolean reached = false;
                for (int i = 0; i < gout.length; i++) {
                    Tensor t = node.outputs[i];
                    if (t == null || (gout[i] = grads.remove(t)) == null) continue;
                    reached = true;
                    if (wrt != null && wrt.containsKey(t)) wrt.put(t, gout[i]);
                }
                if (!reached) continue;
                if (node.backward == null) {
                    throw new IllegalStateException("backward: the graph through '" + node.op
                            + "' was already freed by an earlier backward (use grad(..., createGraph=true) to keep it)");
                }
                Tensor[] gin = node.backward.apply(gout);
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
                if (pass != null) pass.recycleAllBut(storages(grads, wrt));
            }
            // what is left are the leaves' gradients, each complete
            for (Map.Entry<Tensor, Tensor> e : grads.entrySet()) {
                Tensor t = e.getKey(), g = e.getValue();
                if (wrt == null) {
                    t.grad = t.grad == null ? g : t.grad.add(g);
                } else if (wrt.containsKey(t)) {
                    wrt.put(t, g);
                }
            }
        }
    }

    /** The storages of the gradients a pass holds and of those it has handed out. */
    private static Set<Storage> storages(Map<Tensor, Tensor> grads, Map<Tensor, Tensor> wrt) {
        Set<Storage> live = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor g : grads.values()) live.add(g.storage);
        if (wrt != null) for (Tensor g : wrt.values()) if (g != null) live.add(g.storage);
        return live;
    }

    /** Nodes reachable from the roots through the tape, each after every node that consumes one of its outputs. */
    private static List<Node> topologicalOrder(Tensor[] roots) {
        List<Node> post = new ArrayList<>();
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        for (Tensor root : roots) {
            if (root.gradFn == null || seen.put(root.gradFn, true) != null) continue; // a leaf, or reached already
            stack.push(new Object[] {root.gradFn, 0});
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                Node node = (Node) top[0];
                int next = (Integer) top[1];
                if (next < node.inputs.length) {
                    top[1] = next + 1;
                    Tensor in = node.inputs[next];
                    if (in != null && in.gradFn != null && seen.put(in.gradFn, true) == null) stack.push(new Object[] {in.gradFn, 0});
                } else {
                    stack.pop();
                    post.add(node);
                }
            }
        }
        java.util.Collections.reverse(post);
        return post;
    }
}
