package org.biaslab.tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Test tool: the kernel calls of a computation on the CPU, one per device op on a GPU (a GPU op may launch a
 * second kernel, such as a reduction's partial sums), and the nodes of a recorded tape.
 */
public final class OpCount {
    private OpCount() {}

    /** Kernel calls per {@link Backend} method while {@code body} runs on this thread (queries such as fitsAttention left out). */
    public static Map<String, Integer> kernelCalls(Supplier<?> body) {
        Map<String, Integer> calls = new TreeMap<>();
        Backend counting = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
            if (m.getReturnType() != boolean.class) calls.merge(m.getName(), 1, Integer::sum);
            try {
                return m.invoke(CpuBackend.INSTANCE, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        Kernels.with(counting, body);
        return calls;
    }

    /** Nodes on the tape behind {@code roots}: the backward functions a pass from them runs. */
    public static int nodes(Tensor... roots) {
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Node> todo = new ArrayDeque<>();
        for (Tensor r : roots) if (r.gradFn != null && seen.put(r.gradFn, true) == null) todo.push(r.gradFn);
        while (!todo.isEmpty()) {
            for (Tensor in : todo.pop().inputs) {
                if (in != null && in.gradFn != null && seen.put(in.gradFn, true) == null) todo.push(in.gradFn);
            }
        }
        return seen.size();
    }
}
