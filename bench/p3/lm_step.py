"""PyTorch reference for `biaslab bench lm-step`: training steps of P3's language model (the reference's `control`
variant: x <- LN(x + f(x)); learned positions added; per-layer q, k, v and output projection Linear(d, d) with biases;
scores scaled by 1/sqrt(d_head), causal; ReLU FFN; classifier Linear(d, vocab)) on random token batches, AdamW
lr 1e-2 / wd 0.01, float32. Modes: eager (attention written out), sdpa (F.scaled_dot_product_attention) and
compile (sdpa under torch.compile, PyTorch's best single-model path). Reports tokens/s after warm-up."""
import argparse, math, time
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {"reference": (768, 12, 12, 512), "small": (128, 4, 4, 256), "tiny": (64, 2, 2, 128)}
p = argparse.ArgumentParser()
p.add_argument("--preset", default="reference")
p.add_argument("--vocab", type=int, default=10000)
p.add_argument("--length", type=int, default=64)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--warmup", type=int, default=5)
p.add_argument("--device", default="cuda")
p.add_argument("--modes", default="eager,sdpa,compile")
a = p.parse_args()
torch.backends.cuda.matmul.allow_tf32 = False
d, layers, heads, ffn = PRESETS[a.preset]


class Layer(nn.Module):
    def __init__(self, sdpa):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.l1, self.l2 = nn.Linear(d, ffn), nn.Linear(ffn, d)
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.sdpa = sdpa

    def attn(self, x):
        b, t, _ = x.shape
        q, k, v = (m(x).view(b, t, heads, d // heads).transpose(1, 2) for m in (self.q, self.k, self.v))
        if self.sdpa:
            z = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            s = q @ k.transpose(-1, -2) / math.sqrt(d // heads)
            s = s.masked_fill(torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1), float("-inf"))
            z = s.softmax(-1) @ v
        return self.o(z.transpose(1, 2).reshape(b, t, d))

    def forward(self, x):
        x = self.n1(x + self.attn(x))
        return self.n2(x + self.l2(F.relu(self.l1(x))))


class LM(nn.Module):
    def __init__(self, sdpa):
        super().__init__()
        self.embed, self.pos = nn.Embedding(a.vocab, d), nn.Embedding(a.length, d)
        self.layers = nn.ModuleList(Layer(sdpa) for _ in range(layers))
        self.classifier = nn.Linear(d, a.vocab)

    def forward(self, ids):
        x = self.embed(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device))
        for layer in self.layers:
            x = layer(x)
        return self.classifier(x)


for mode in a.modes.split(","):
    torch.manual_seed(0)
    model = LM(mode != "eager").to(a.device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)

    def step(ids):
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss

    fn = torch.compile(step) if mode == "compile" else step
    for s in range(a.warmup + a.steps):
        if s == a.warmup:
            if a.device == "cuda": torch.cuda.synchronize()
            t0 = time.perf_counter()
        loss = fn(torch.randint(0, a.vocab, (a.batch, a.length + 1), device=a.device))
        loss.item()  # as biaslab's bench reads its loss every step
    if a.device == "cuda": torch.cuda.synchronize()
    sec = time.perf_counter() - t0
    n = sum(p.numel() for p in model.parameters())
    print(f"pytorch {torch.__version__} {mode} {a.preset}: {n:,} parameters, {1e3 * sec / a.steps:.1f} ms/step, "
          f"{a.batch * a.length * a.steps / sec:.0f} tokens/s, loss {loss.item():.3f}", flush=True)
