package org.biaslab.tensor;

import static org.biaslab.tensor.GradCheck.check;
import static org.biaslab.tensor.GradCheck.matchesReference;
import static org.biaslab.tensor.GradCheck.randn;
import static org.biaslab.tensor.GradCheck.randn64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ElementwiseTest {
    private static final int[][][] BROADCAST_PAIRS = {
            {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 1}, {1, 4}}, {{2, 3, 4}, {3, 1}}, {{4}, {2, 3, 4}},
            {{2, 1, 5}, {2, 3, 1}}, {{3, 4}, {}}, {{}, {5}}, {{1, 1}, {2, 3}}, {{2, 40, 33}, {40, 1}},
            {{0, 3}, {3}}, {{5, 0}, {1}}};

    private static BinaryOperator<Tensor> op(BinaryOp op) {
        return switch (op) {
            case ADD -> Tensor::add;
            case SUB -> Tensor::sub;
            case MUL -> Tensor::mul;
            case DIV -> Tensor::div;
            case POW -> Tensor::pow;
            case MAXIMUM -> Tensor::maximum;
            case MINIMUM -> Tensor::minimum;
            case EQ -> Tensor::eq;
            case GT -> Tensor::gt;
            case GE -> Tensor::ge;
            case LT -> Tensor::lt;
            case LE -> Tensor::le;
        };
    }

    /** POW and DIV get positive, well-separated operands; the others standard normals. */
    private static Tensor operand(BinaryOp op, long seed, int[] dims, boolean f64) {
        Tensor t = f64 ? randn64(seed, dims) : randn(seed, dims);
        if (op == BinaryOp.POW || op == BinaryOp.DIV) return t.abs().add(0.5);
        return t;
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryMatchesReferenceUnderBroadcasting(BinaryOp op) {
        for (int[][] pair : BROADCAST_PAIRS) {
            Tensor a = operand(op, 1, pair[0], false), b = operand(op, 2, pair[1], false);
            matchesReference(x -> op(op).apply(x[0], x[1]), 1e-6, a, b);
        }
    }

    @ParameterizedTest
    @EnumSource(value = BinaryOp.class, names = {"EQ", "GT", "GE", "LT", "LE"}, mode = EnumSource.Mode.EXCLUDE)
    void binaryGradientsMatchFiniteDifferences(BinaryOp op) {
        for (int[][] pair : BROADCAST_PAIRS) {
            Tensor a = operand(op, 3, pair[0], true), b = operand(op, 4, pair[1], true);
            check(x -> op(op).apply(x[0], x[1]), a, b);
        }
    }

    @Test
    void comparisonsGiveOneOrZero() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3), b = Tensor.of(new float[] {2, 2, 2}, 3);
        assertArrayEquals(new float[] {0, 1, 0}, a.eq(b).toFloatArray());
        assertArrayEquals(new float[] {0, 0, 1}, a.gt(b).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 1}, a.ge(b).toFloatArray());
        assertArrayEquals(new float[] {1, 0, 0}, a.lt(b).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 0}, a.le(b).toFloatArray());
    }

    private static UnaryOperator<Tensor> op(UnaryOp op) {
        return switch (op) {
            case NEG -> Tensor::neg;
            case EXP -> Tensor::exp;
            case LOG -> Tensor::log;
            case SQRT -> Tensor::sqrt;
            case ABS -> Tensor::abs;
            case SIGN -> Tensor::sign;
            case TANH -> Tensor::tanh;
            case SIGMOID -> Tensor::sigmoid;
            case RELU -> Tensor::relu;
            case ERF -> Tensor::erf;
            case POW -> t -> t.pow(2.5);
            case GELU -> Tensor::gelu;
            case GELU_TANH -> Tensor::geluTanh;
            case GELU_DERIV, GELU_DERIV2, GELU_TANH_DERIV -> t -> Elementwise.unary(op, t, 0);
        };
    }

    private static boolean positiveDomain(UnaryOp op) {
        return op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesReference(UnaryOp op) {
        Tensor a = randn(5, 7, 37).mul(3);
        if (positiveDomain(op)) a = a.abs().add(0.1);
        matchesReference(x -> op(op).apply(x[0]), 2e-6, a);
    }

    @ParameterizedTest
    @EnumSource(value = UnaryOp.class, names = {"SIGN", "GELU_DERIV2", "GELU_TANH_DERIV"}, mode = EnumSource.Mode.EXCLUDE)
    void unaryGradientsMatchFiniteDifferences(UnaryOp op) {
        Tensor a = randn64(6, 3, 5).mul(2);
        if (positiveDomain(op)) a = a.abs().add(0.3);
        if (op == UnaryOp.ABS || op == UnaryOp.RELU) a = a.add(a.sign().mul(0.01)); // keep away from the kink
        check(x -> op(op).apply(x[0]), a);
    }

    @Test
    void geluMatchesClosedFormsAndTheTanhApproximation() {
        Tensor x = Tensor.of(new double[] {-3, -1, 0, 0.5, 2}, 5);
        double[] exact = x.gelu().toDoubleArray();
        double[] approx = x.geluTanh().toDoubleArray();
        assertEquals(0, exact[2], 0);
        assertEquals(2 * 0.9772498680518208, exact[4], 1e-15); // 2·Φ(2)
        assertEquals(-1 * 0.15865525393145707, exact[1], 1e-15); // −Φ(−1)
        for (int i = 0; i < 5; i++) assertEquals(exact[i], approx[i], 1e-3);
    }

    @Test
    void erfMatchesKnownValues() {
        double[] x = {0, 0.1, 0.5, 1, 2, 3, -1.5, 6};
        double[] expected = {0, 0.1124629160182849, 0.5204998778130465, 0.8427007929497149, 0.9953222650189527,
                0.9999779095030014, -0.9661051464753108, 1};
        double[] got = Tensor.of(x, x.length).erf().toDoubleArray();
        for (int i = 0; i < x.length; i++) assertEquals(expected[i], got[i], 1e-15, "erf(" + x[i] + ")");
    }

    @Test
    void whereAndMaskedFillPickAndRouteGradients() {
        Tensor cond = Tensor.of(new double[] {1, 0, 1, 0}, 4);
        check(x -> Tensor.where(cond, x[0], x[1]), randn64(1, 4), randn64(2, 1));
        Tensor scores = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor mask = Tensor.of(new float[] {0, 1, 0, 0}, 2, 2);
        float[] filled = scores.maskedFill(mask, Double.NEGATIVE_INFINITY).toFloatArray();
        assertEquals(Float.NEGATIVE_INFINITY, filled[1]);
        assertEquals(3f, filled[2]);
        float[] p = scores.maskedFill(mask, Double.NEGATIVE_INFINITY).softmax(-1).toFloatArray();
        assertArrayEquals(new float[] {1, 0}, new float[] {p[0], p[1]});
    }

    @Test
    void shapeAndDtypeErrorsNameTheOpAndOperands() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4);
        var e = assertThrows(ShapeException.class, () -> a.add(b));
        assertEquals("add: shapes [2, 3] and [4] cannot be broadcast together", e.getMessage());
        Tensor c = Tensor.zeros(DType.F64, Shape.of(3));
        var d = assertThrows(IllegalArgumentException.class, () -> a.mul(c));
        assertTrue(d.getMessage().startsWith("mul: dtype mismatch: F32 [2, 3] vs F64 [3]"), d.getMessage());
    }
}
