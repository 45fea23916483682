"""PyTorch reference for `biaslab bench vit-epoch`: one epoch of P2's MNIST ViT (HuggingFace's ViTForImageClassification
with biaslab's preset: d 64, 4 layers, 4 heads, MLP 128, patch 7, LN eps 1e-6) on 60,000 random 28x28 images,
batch 128, AdamW lr 1e-3 / wd 0.05, float32. Modes: eager and torch.compile (the best single-model path); the first
epoch warms up, the second is timed. Batches are sliced from tensors already on the device."""
import argparse, time
import torch
from transformers import ViTConfig, ViTForImageClassification

p = argparse.ArgumentParser()
p.add_argument("--images", type=int, default=60000)
p.add_argument("--device", default="cuda")
p.add_argument("--modes", default="eager,compile")
a = p.parse_args()
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
cfg = ViTConfig(hidden_size=64, num_hidden_layers=4, num_attention_heads=4, intermediate_size=128, hidden_act="gelu",
                layer_norm_eps=1e-6, image_size=28, patch_size=7, num_channels=1, qkv_bias=True, num_labels=10,
                attn_implementation="eager")
x = torch.rand(a.images, 1, 28, 28, device=a.device)
y = torch.randint(0, 10, (a.images,), device=a.device)
for mode in a.modes.split(","):
    torch.manual_seed(0)
    model = ViTForImageClassification(cfg).to(a.device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    def step(xb, yb):
        loss = torch.nn.functional.cross_entropy(model(pixel_values=xb).logits, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss
    fn = torch.compile(step) if mode == "compile" else step
    for epoch in (1, 2):
        perm = torch.randperm(a.images, device=a.device)
        if a.device == "cuda": torch.cuda.synchronize()
        t0 = time.perf_counter()
        for i in range(0, a.images, 128):
            idx = perm[i:i + 128]
            loss = fn(x[idx], y[idx])
        if a.device == "cuda": torch.cuda.synchronize()
        s = time.perf_counter() - t0
        print(f"pytorch {torch.__version__} {mode} epoch {epoch}: {s:.2f} s, {a.images / s:.0f} images/s, loss {loss.item():.4f}", flush=True)
