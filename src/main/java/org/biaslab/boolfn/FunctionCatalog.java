package org.biaslab.boolfn;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The functions by name, as the command line and run configs write them: {@code majority}, {@code random:42}, … */
public final class FunctionCatalog {
    private FunctionCatalog() {}

    /** A function with the name it was asked for by. */
    public record Named(String name, RealFunction function) {}

    /** One kind of function: how to write it and what it is. */
    public record Kind(String syntax, String description) {}

    /** The kinds of function {@link #parse} knows. */
    public static final List<Kind> KINDS = List.of(
            new Kind("parity", "x_1 + ... + x_n mod 2"),
            new Kind("majority", "1[|x| > n/2]; a tie (even n) gives 0"),
            new Kind("first", "x_1"),
            new Kind("mean", "(x_1 + ... + x_n)/n, real-valued"),
            new Kind("and", "x_1 x_2 ... x_n"),
            new Kind("or", "1[|x| >= 1]"),
            new Kind("threshold:T", "1[|x| >= T]"),
            new Kind("sparse-parity:I,J,...", "x_I + x_J + ... mod 2 (coordinates 1..n)"),
            new Kind("junta:I,J,...:SEED", "RandomFunc(SEED, k) of the k coordinates I,J,..."),
            new Kind("random:SEED", "P1's RandomFunc: numpy default_rng(SEED).choice(2, 2^n), bit-exact"),
            new Kind("prefix-parity[:T]", "the scratchpad outputs y_t = x_1 + ... + x_t mod 2: all n, or y_T"),
            new Kind("file:PATH", "a truth table read from PATH (.npy or text of 0/1; see docs/boolfn.md)"));

    /**
     * The functions a spec names at n input bits: one, or the n outputs of {@code prefix-parity}. n may be null for
     * {@code file:}, whose n is the file's; otherwise it must be at least 1.
     */
    public static List<Named> parse(String spec, Integer n) {
        String[] part = spec.split(":", 2);
        String kind = part[0], argument = part.length > 1 ? part[1] : null;
        if (kind.equals("file")) {
            TruthTable table = TruthTableFile.read(Path.of(required(spec, argument)));
            if (n != null && n != table.n()) {
                throw new IllegalArgumentException("--n " + n + " does not match " + argument + ", which holds 2^"
                        + table.n() + " values (n = " + table.n() + ")");
            }
            return List.of(new Named(spec, table));
        }
        if (KINDS.stream().noneMatch(k -> k.syntax().split("[:\\[]")[0].equals(kind))) {
            throw new IllegalArgumentException("unknown function '" + spec + "'; see 'biaslab boolfn list'");
        }
        if (n == null) throw new IllegalArgumentException("function '" + spec + "' needs --n");
        int bits = Input.checkN(n);
        if (kind.equals("prefix-parity")) {
            PrefixParity outputs = new PrefixParity(bits);
            return argument == null
                    ? outputs.outputs().stream().map(f -> new Named("prefix-parity:" + f.coordinates().length, (RealFunction) f)).toList()
                    : List.of(new Named(spec, outputs.output(integer(spec, argument))));
        }
        if (argument != null && List.of("parity", "majority", "first", "mean", "and", "or").contains(kind)) {
            throw new IllegalArgumentException("function '" + kind + "' takes no argument, but got '" + argument + "'");
        }
        RealFunction f = switch (kind) {
            case "parity" -> Symmetric.parity(bits);
            case "majority" -> Symmetric.majority(bits);
            case "first" -> SparseParity.first(bits);
            case "mean" -> new Mean(bits);
            case "and" -> Symmetric.and(bits);
            case "or" -> Symmetric.or(bits);
            case "threshold" -> Symmetric.threshold(bits, integer(spec, required(spec, argument)));
            case "sparse-parity" -> new SparseParity(bits, coordinates(spec, required(spec, argument)));
            case "junta" -> {
                String[] a = required(spec, argument).split(":");
                if (a.length != 2) throw new IllegalArgumentException("function '" + spec + "': write junta:I,J,...:SEED");
                yield Junta.random(bits, coordinates(spec, a[0]), integer(spec, a[1]));
            }
            case "random" -> RandomFunc.table(integer(spec, required(spec, argument)), bits);
            default -> throw new IllegalStateException("no case for " + kind);
        };
        return List.of(new Named(spec, f));
    }

    private static String required(String spec, String argument) {
        if (argument == null || argument.isEmpty()) {
            throw new IllegalArgumentException("function '" + spec + "' needs an argument; see 'biaslab boolfn list'");
        }
        return argument;
    }

    private static int integer(String spec, String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("function '" + spec + "': '" + text + "' is not an integer");
        }
    }

    private static int[] coordinates(String spec, String list) {
        return Arrays.stream(list.split(",")).mapToInt(t -> integer(spec, t)).toArray();
    }
}
