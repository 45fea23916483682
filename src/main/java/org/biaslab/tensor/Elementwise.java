package org.biaslab.tensor;

/** Elementwise ops with broadcasting, and their backward rules. */
final class Elementwise {
    private Elementwise() {}

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        Device device = deviceOf(a, b);
        a = onDevice(a, device);
        b = onDevice(b, device);
        checkDtypes(name, a, b);
        Shape s = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = Tensor.uninitialised(a.dtype(), s, device);
        Kernels.of(device).binary(op, a, b, out);
        return back(op, name, out, a, b);
    }

    private static Tensor back(BinaryOp op, String name, Tensor out, Tensor a, Tensor b) {
        Node.Backward back = switch (op) {
            case ADD -> g -> new Tensor[] {g.sumTo(a.shape()), g.sumTo(b.shape())};
            case SUB -> g -> new Tensor[] {g.sumTo(a.shape()), g.neg().sumTo(b.shape())};
            case MUL -> g -> new Tensor[] {g.mul(b).sumTo(a.shape()), g.mul(a).sumTo(b.shape())};
            case DIV -> g -> new Tensor[] {g.div(b).sumTo(a.shape()), g.mul(out).div(b).neg().sumTo(b.shape())};
            case POW -> g -> new Tensor[] {
                    g.mul(b).mul(a.pow(b.sub(1.0))).sumTo(a.shape()),
                    b.requiresGrad() ? g.mul(out).mul(a.log()).sumTo(b.shape()) : null};
            case MAXIMUM -> g -> new Tensor[] {g.mul(a.ge(b)).sumTo(a.shape()), g.mul(a.lt(b)).sumTo(b.shape())};
            case MINIMUM -> g -> new Tensor[] {g.mul(a.le(b)).sumTo(a.shape()), g.mul(a.gt(b)).sumTo(b.shape())};
            case EQ, GT, GE, LT, LE -> null;
        };
        return back == null ? out : Autograd.record(name, out, back, a, b);
    }

    static Tensor unary(UnaryOp op, Tensor a, double p) {
        if (!a.dtype().isFloating()) throw new IllegalArgumentException(op.name().toLowerCase() + ": needs a floating tensor, got " + a.dtype());
        Tensor out = Tensor.uninitialised(a.dtype(), a.shape(), a.device());
        Kernels.of(a.device()).unary(op, a, p, out);
        Node.Backward back = switch (op) {
            case NEG -> g -> new Tensor[] {g.neg()};
            case EXP -> g -> new Tensor[] {g.mul(out)};
            case LOG -> g -> new Tensor[] {g.div(a)};
            case SQRT -> g -> new Tensor[] {g.div(out).mul(0.5)};
            case ABS -> g -> new Tensor[] {g.mul(a.sign())};
            case TANH -> g -> new Tensor[] {g.mul(out.mul(out).neg().add(1.0))};
            case SIGMOID -> g -> new Tensor[] {g.mul(out.mul(out.neg().add(1.0)))};
            case RELU -> g -> new Tensor[] {g.mul(a.gt(0.0))};
            case ERF -> g -> new Tensor[] {g.mul(a.mul(a).neg().exp().mul(2.0 / Math.sqrt(Math.PI)))};
            case POW -> g -> new Tensor[] {g.mul(a.pow(p - 1.0)).mul(p)};
            case GELU -> g -> new Tensor[] {g.mul(unary(UnaryOp.GELU_DERIV, a, 0))};
            case GELU_DERIV -> g -> new Tensor[] {g.mul(unary(UnaryOp.GELU_DERIV2, a, 0))};
            case GELU_TANH -> g -> new Tensor[] {g.mul(GradMode.isEnabled() ? geluTanhDerivative(a) : unary(UnaryOp.GELU_TANH_DERIV, a, 0))};
            case GELU_DERIV2, GELU_TANH_DERIV -> g -> {
                throw new UnsupportedOperationException("a higher derivative of " + op + " is not implemented");
            };
            case SIGN -> null;
        };
        return back == null ? out : Autograd.record(op.name().toLowerCase(), out, back, a);
    }

    /**
     * d/dx of GELU_TANH from differentiable ops, for a backward pass that is itself recorded (second derivatives):
     * 0.5(1 + t) + 0.5·x(1 − t²)·c(1 + 3k·x²), t = tanh(c(x + k·x³)), c = √(2/π), k = 0.044715.
     */
    private static Tensor geluTanhDerivative(Tensor x) {
        double c = Math.sqrt(2 / Math.PI), k = 0.044715;
        Tensor x2 = x.mul(x);
        Tensor t = x.add(x2.mul(x).mul(k)).mul(c).tanh();
        Tensor slope = x2.mul(3 * k).add(1.0).mul(c); // du/dx
        return t.add(1.0).mul(0.5).add(x.mul(t.mul(t).neg().add(1.0)).mul(slope).mul(0.5));
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Device device = deviceOf(cond, a, b);
        Tensor c = onDevice(cond, device), x = onDevice(a, device), y = onDevice(b, device);
        checkDtypes("where", x, y);
        Shape s = Shape.broadcast("where", Shape.broadcast("where", c.shape(), x.shape()), y.shape());
        Tensor out = Tensor.empty(x.dtype(), s, device);
        Kernels.of(device).where(c, x, y, out);
        return whereBack(out, c, x, y);
    }

    private static Tensor whereBack(Tensor out, Tensor cond, Tensor a, Tensor b) {
        return Autograd.record("where", out, g -> {
            Tensor zero = Tensor.scalar(g.dtype(), 0);
            return new Tensor[] {null, where(cond, g, zero).sumTo(a.shape()), where(cond, zero, g).sumTo(b.shape())};
        }, cond, a, b);
    }

    /** The GPU when any operand is there, else the CPU. */
    private static Device deviceOf(Tensor... ts) {
        for (Tensor t : ts) if (t.device() != Device.CPU) return t.device();
        return Device.CPU;
    }

    /**
     * t on {@code device}: a CPU tensor meeting a GPU one is copied there (masks and targets built on the host),
     * except a one-element CPU tensor, which the GPU kernels take by value as a scalar.
     */
    private static Tensor onDevice(Tensor t, Device device) {
        if (t.device() == device || (t.device() == Device.CPU && t.size() == 1 && t.shape().rank() == 0)) return t;
        return t.to(device);
    }

    private static void checkDtypes(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtype mismatch: " + a.dtype() + " " + a.shape() + " vs " + b.dtype() + " " + b.shape());
        }
    }

    /** a broadcast to {@code shape} as a new contiguous tensor. */
    static Tensor expand(Tensor a, Shape shape) {
        if (a.shape().equals(shape)) return a;
        Shape check = Shape.broadcast("expand", a.shape(), shape);
        if (!check.equals(shape)) throw new ShapeException("expand: cannot expand " + a.shape() + " to " + shape);
        Tensor out = Tensor.empty(a.dtype(), shape, a.device());
        Kernels.of(a.device()).binary(BinaryOp.ADD, a, Tensor.scalar(a.dtype(), 0), out);
        return Autograd.record("expand", out, g -> new Tensor[] {g.sumTo(a.shape())}, a);
    }
}
