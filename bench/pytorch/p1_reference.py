"""PyTorch reference for biaslab's P1 model (papers.md §P1.4): a reference only, never a biaslab dependency.

1. check: loads a biaslab checkpoint (model.safetensors, PyTorch parameter names) into the P1 architecture built
   from torch.nn, runs it on all 2^n inputs and compares with the outputs biaslab computed (outputs.json).
2. time: steps/s of P1's training step (d 128, 2 layers, 2 heads, batch 1024, n 20, AdamW lr 3e-4 wd 0.1, MSE,
   fresh uniform bits each step) on the available device, for docs/gpu.md.
3. ensemble: the same step for E models at once, PyTorch's best path for an ensemble (issue #18): the members'
   parameters stacked (torch.func.stack_module_state), one vmap over grad of the functional loss, optionally
   torch.compile'd (also with mode="reduce-overhead": CUDA graphs), one AdamW over the stacked tensors; model-steps/s
   for each E and mode.

usage: python3 p1_reference.py check DIR        (DIR holds model.safetensors and outputs.json)
       python3 p1_reference.py time [--steps 200] [--tf32]
       python3 p1_reference.py ensemble [--members 8,32] [--steps 50] [--tf32] [--modes eager,compiled,compiled-graphs]
"""
import json
import sys
import time

import torch
from torch import nn


class P1Model(nn.Module):
    """Token embedding (2, d/2) concatenated with a learned position embedding (max_len, d/2), PyTorch's Post-LN
    encoder (FFN width d, ReLU, no dropout, no final norm), and a linear readout at the last position."""

    def __init__(self, d, heads, layers, max_len):
        super().__init__()
        self.embedding = nn.Embedding(2, d // 2)
        self.positional_encoding = nn.Embedding(max_len, d // 2)
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=heads, dim_feedforward=d, dropout=0.0,
                                           activation="relu", batch_first=True)
        self.encoders = nn.TransformerEncoder(layer, num_layers=layers, enable_nested_tensor=False)
        self.linear_head = nn.Linear(d, 1)

    def forward(self, bits):  # (B, n) int64 -> (B,)
        pos = self.positional_encoding(torch.arange(bits.size(1), device=bits.device)).expand(bits.size(0), -1, -1)
        x = torch.cat([self.embedding(bits), pos], dim=-1)
        return self.linear_head(self.encoders(x))[:, -1, 0]


def check(directory):
    from safetensors.torch import load_file

    spec = json.load(open(f"{directory}/outputs.json"))
    n = spec["n"]
    model = P1Model(spec["d"], spec["heads"], spec["layers"], spec["maxLen"]).double()
    state = {k: v.double() for k, v in load_file(f"{directory}/model.safetensors").items()}
    model.load_state_dict(state, strict=True)
    model.eval()
    index = torch.arange(2 ** n)
    bits = ((index[:, None] >> torch.arange(n - 1, -1, -1)) & 1).long()  # first bit most significant
    with torch.no_grad():
        ours = model(bits)
    theirs = torch.tensor(spec["outputs"], dtype=torch.float64)
    diff = (ours - theirs).abs().max().item()
    print(f"check: {len(state)} tensors loaded strictly; {2 ** n} inputs; max |torch(float64) - biaslab(float32)| = {diff:.3g}")
    return diff


def time_steps(steps, tf32):
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.manual_seed(0)
    model = P1Model(128, 2, 2, 1024).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
    loss_fn = nn.MSELoss()

    def step():
        bits = torch.randint(0, 2, (1024, 20), device=device)
        y = (bits.sum(-1) % 2).float()
        loss = loss_fn(model(bits), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    for _ in range(20):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    if device == "cuda":
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    print(f"time: torch {torch.__version__} on {name}, tf32 {tf32}: {steps / dt:.1f} steps/s "
          f"({1000 * dt / steps:.2f} ms/step), final loss {loss.item():.4f}")


def time_ensemble(members, steps, tf32, modes):
    import copy

    from torch.func import functional_call, grad, stack_module_state, vmap

    device = "cuda"
    if tf32:
        torch.set_float32_matmul_precision("high")
    # the fused scaled-dot-product kernels have no batching rule under vmap(grad(...)): the math path, as a user gets
    torch.backends.cuda.enable_flash_sdp(False)
    torch.backends.cuda.enable_mem_efficient_sdp(False)
    n, batch = 20, 1024
    for e in members:
        for mode in modes:
            torch.manual_seed(0)
            models = [P1Model(128, 2, 2, n).to(device) for _ in range(e)]
            params, buffers = stack_module_state(models)  # every leaf (E, ...)
            skeleton = copy.deepcopy(models[0]).to("meta")

            def loss(p, b, bits, y):  # one member: bits (B, n), y (B,)
                return ((functional_call(skeleton, (p, b), (bits,)) - y) ** 2).mean()

            grads = vmap(grad(loss))
            if mode == "compiled":
                grads = torch.compile(grads)
            elif mode == "compiled-graphs":  # torch.compile's CUDA graphs (cudagraph trees) on top
                grads = torch.compile(grads, mode="reduce-overhead")
            opt = torch.optim.AdamW(list(params.values()), lr=3e-4, weight_decay=0.1)

            def step():
                bits = torch.randint(0, 2, (e, batch, n), device=device)
                g = grads(params, buffers, bits, (bits.sum(-1) % 2).float())
                for name, p in params.items():
                    p.grad = g[name]
                opt.step()

            try:
                for _ in range(10):
                    step()
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                for _ in range(steps):
                    step()
                torch.cuda.synchronize()
                dt = (time.perf_counter() - t0) / steps
                print(f"ensemble: torch {torch.__version__} on {torch.cuda.get_device_name()}, tf32 {tf32}, E {e}, {mode}: "
                      f"{1000 * dt:.2f} ms/step, {e / dt:.0f} model-steps/s")
            except Exception as ex:  # e.g. a compile failure: say so and go on with the other modes
                print(f"ensemble: E {e}, {mode}: failed, {type(ex).__name__}: {str(ex)[:300]}")


def option(args, name, default):
    return args[args.index(name) + 1] if name in args else default


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        sys.exit(0 if check(sys.argv[2]) < 1e-5 else 1)
    elif len(sys.argv) >= 2 and sys.argv[1] == "time":
        args = sys.argv[2:]
        time_steps(int(option(args, "--steps", "200")), "--tf32" in args)
    elif len(sys.argv) >= 2 and sys.argv[1] == "ensemble":
        args = sys.argv[2:]
        time_ensemble([int(e) for e in option(args, "--members", "8,32").split(",")], int(option(args, "--steps", "50")),
                      "--tf32" in args, option(args, "--modes", "eager,compiled").split(","))
    else:
        print(__doc__)
        sys.exit(2)
