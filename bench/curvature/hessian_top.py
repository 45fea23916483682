"""PyTorch reference for `biaslab bench hvp`: a reference only, never a biaslab dependency.

Times a gradient and a Hessian-vector product of P1's model (papers.md §P1.4: d 128, 2 layers, 2 heads, n 20,
batch 1024, MSE against PARITY) and the top Hessian eigenvalue by PyHessian's algorithm (power iteration on
double-backward products, stopped when the eigenvalue changes by at most --tol relative), on the GPU if there is
one. Two HVPs are timed: PyHessian's (the gradient graph built once with create_graph=True, each product one
torch.autograd.grad through it with retain_graph=True) and torch.func's forward-over-reverse jvp(grad).

With DIR from `./biaslab bench hvp --save DIR` it loads biaslab's weights and batch (model.safetensors,
batch.safetensors) and compares its eigenvalue with biaslab's (biaslab.json); without, it draws its own.

usage: python3 hessian_top.py [DIR] [--repeats 10] [--solves 5] [--tol 1e-3] [--max-iter 100] [--seed 0] [--tf32]
"""
import json
import os
import sys
import statistics
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pytorch"))
from p1_reference import P1Model  # noqa: E402  the same architecture as biaslab's P1Transformer


def option(args, name, default, kind):
    return kind(args[args.index(name) + 1]) if name in args else default


def main(args):
    directory = args[0] if args and not args[0].startswith("--") else None
    repeats = option(args, "--repeats", 10, int)
    solves = option(args, "--solves", 5, int)
    tol = option(args, "--tol", 1e-3, float)
    max_iter = option(args, "--max-iter", 100, int)
    seed = option(args, "--seed", 0, int)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = "--tf32" in args
    # the fused attention kernels (flash, memory-efficient, cuDNN) have no double backward: use the math path
    for switch in ("enable_flash_sdp", "enable_mem_efficient_sdp", "enable_cudnn_sdp"):
        if hasattr(torch.backends.cuda, switch):
            getattr(torch.backends.cuda, switch)(False)
    torch.manual_seed(seed)

    spec = json.load(open(os.path.join(directory, "biaslab.json"))) if directory else {}
    d, layers, n, batch = spec.get("d", 128), spec.get("layers", 2), spec.get("n", 20), spec.get("batch", 1024)
    model = P1Model(d, spec.get("heads", 2), layers, spec.get("max_len", max(n, 64)))
    if directory:
        from safetensors.torch import load_file
        model.load_state_dict(load_file(os.path.join(directory, "model.safetensors")), strict=True)
        data = load_file(os.path.join(directory, "batch.safetensors"))
        x, y = data["x"].long(), data["y"].float()
    else:
        x = torch.randint(0, 2, (batch, n))
        y = (x.sum(-1) % 2).float()
    model = model.to(device).train()  # dropout is 0; train mode keeps the autograd path of the encoder
    x, y = x.to(device), y.to(device)
    params = [p for p in model.parameters()]
    count = sum(p.numel() for p in params)
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    print(f"hessian_top: torch {torch.__version__} on {name}; P1 model d {d}, {layers} layers, n {n}, batch {batch}, "
          f"{count:,} parameters, {'biaslab weights' if directory else 'own initialisation'}")

    def loss():
        return ((model(x) - y) ** 2).mean()

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    def timed(fn):
        for _ in range(3):
            fn()
        sync()
        t0 = time.perf_counter()
        for _ in range(repeats):
            fn()
        sync()
        return (time.perf_counter() - t0) / repeats * 1e3

    grad_ms = timed(lambda: torch.autograd.grad(loss(), params))
    t0 = time.perf_counter()
    grads = torch.autograd.grad(loss(), params, create_graph=True)
    sync()
    first_ms = (time.perf_counter() - t0) * 1e3
    v = [torch.randn_like(p) for p in params]

    def hvp(vs):
        hv = torch.autograd.grad(grads, params, grad_outputs=vs, retain_graph=True, allow_unused=True)
        return [torch.zeros_like(p) if h is None else h for h, p in zip(hv, params)]

    hvp_ms = timed(lambda: hvp(v))
    print(f"gradient {grad_ms:.2f} ms; Hessian-vector product {hvp_ms:.2f} ms ({hvp_ms / grad_ms:.2f}× a gradient; "
          f"recording the gradient graph first {first_ms:.2f} ms)")

    try:
        from torch.func import functional_call, grad, jvp
        names = [k for k, _ in model.named_parameters()]
        base = {k: p.detach() for k, p in model.named_parameters()}

        def loss_of(ps):
            return ((functional_call(model, ps, (x,)) - y) ** 2).mean()

        tangent = dict(zip(names, v))
        func_ms = timed(lambda: jvp(grad(loss_of), (base,), (tangent,)))
        print(f"torch.func forward-over-reverse HVP {func_ms:.2f} ms ({func_ms / grad_ms:.2f}× a gradient)")
    except Exception as e:  # forward-mode AD is missing for some op on some versions
        print(f"torch.func forward-over-reverse HVP: failed ({type(e).__name__}: {str(e)[:200]})")

    # PyHessian's eigenvalue(): power iteration, v normalised, stop when |λ − λ_prev| / (|λ_prev| + 1e-6) < tol
    def power_iteration():
        vs = [torch.randn_like(p) for p in params]
        norm = torch.sqrt(sum((u * u).sum() for u in vs))
        vs = [u / norm for u in vs]
        previous, products = None, 0
        for _ in range(max_iter):
            hv = hvp(vs)
            products += 1
            value = sum((h * u).sum() for h, u in zip(hv, vs)).item()
            norm = torch.sqrt(sum((h * h).sum() for h in hv))
            vs = [h / norm for h in hv]
            if previous is not None and abs(value - previous) / (abs(previous) + 1e-6) < tol:
                return value, products
            previous = value
        return value, products

    power_iteration()  # warm-up
    times, counts, values = [], [], []
    for _ in range(solves):  # each from its own random start
        sync()
        t0 = time.perf_counter()
        value, products = power_iteration()
        sync()
        times.append((time.perf_counter() - t0) * 1e3)
        counts.append(products)
        values.append(value)
    ms = statistics.median(times)
    reference = spec.get("top_eigenvalue")
    error = (f", error ≤ {max(abs(v - reference) for v in values) / abs(reference):.1e} against biaslab's {reference:.8g}"
             if reference else "")
    span = f"{min(counts)}" if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"
    print(f"power iteration (PyHessian, tol {tol:g}): top eigenvalue {value:.8g} in {span} products, {ms:.1f} ms "
          f"(median of {solves} starts){error}")
    where = f"{spec.get('device')}{', CUDA graph' if spec.get('graph') else ''}"
    for rule in ("residual", "gap"):
        if f"lanczos_{rule}_ms" in spec:
            theirs = spec[f"lanczos_{rule}_ms"]
            print(f"biaslab ({where}): Lanczos, {rule} rule, at most {spec[f'lanczos_{rule}_products']} products, {theirs:.1f} ms per eigenvalue: "
                  f"PyTorch / biaslab {ms / theirs:.2f}x (a ratio only when both ran on this machine, one after the other)")


if __name__ == "__main__":
    main(sys.argv[1:])
