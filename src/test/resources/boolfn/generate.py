"""Regenerates the fixtures of org.biaslab.boolfn's tests with NumPy (run from this directory; NumPy 2.4 was used).

randomfunc-SEED-nN.npy  P1's RandomFunc(SEED, N) = np.random.default_rng(SEED).choice(2, size=2**N)
                        (int64 as choice returns it for N <= 10, bool for N = 16 to keep the file small)
p1-sensitivity.txt      P1's own formula (src/utils.py): all 2^n x 2^n characters, as = sum_S |S| fhat(S)^2,
                        with the weight by degree, for RandomFunc(seed, 10), seeds 0..3
dtype-*.npy, *.txt      the same 16-value table in every format the reader accepts, and malformed files
"""
import numpy as np

for seed in [0, 1, 42, 12345, 2**40 + 7]:
    for n in [4, 10, 16]:
        if seed == 2**40 + 7 and n != 10:
            continue
        t = np.random.default_rng(seed).choice(2, size=2**n)
        np.save(f"randomfunc-{seed}-n{n}.npy", t.astype(bool) if n == 16 else t)

n = 10
x = (np.arange(2**n)[:, None] >> np.arange(n - 1, -1, -1)) & 1      # (2^n, n), first bit most significant
chi = (-1.0) ** (x @ x.T)                                           # (2^n S, 2^n x): chi_S(x), S encoded like x
degree = x.sum(1)
with open("p1-sensitivity.txt", "w") as out:
    out.write("# seed n average-sensitivity W_0 ... W_n   (P1's formula on RandomFunc(seed, n))\n")
    for seed in range(4):
        g = 2.0 * np.random.default_rng(seed).choice(2, size=2**n) - 1
        fhat = chi @ g / 2**n
        w = np.bincount(degree, weights=fhat**2, minlength=n + 1)
        out.write(f"{seed} {n} {float(np.sum(degree * fhat**2))!r} " + " ".join(repr(float(v)) for v in w) + "\n")

t = np.random.default_rng(7).choice(2, size=16)
for dtype in ["<i8", "<i4", ">i4", "<i2", "|u1", "|i1", "<u8", "|b1", "<f8", "<f4"]:
    np.save(f"dtype-{dtype[1:]}{'-be' if dtype[0] == '>' else ''}.npy", t.astype(dtype))
with open("table-n4.txt", "w") as out:
    out.write("# RandomFunc(7, 4)\n" + "".join(map(str, t[:8])) + "\n" + " ".join(map(str, t[8:])) + "\n")
np.save("table-n4.npy", t)
np.save("bad-2d.npy", t.reshape(4, 4))
np.save("bad-values.npy", np.arange(16))
np.save("bad-length.npy", np.zeros(12, dtype=np.int64))
np.save("bad-dtype.npy", t.astype(np.complex64))
with open("bad-truncated.npy", "wb") as out:
    out.write(open("table-n4.npy", "rb").read()[:-10])
with open("bad-char.txt", "w") as out:
    out.write("0101\n01x1\n")
with open("bad-length.txt", "w") as out:
    out.write("010")
