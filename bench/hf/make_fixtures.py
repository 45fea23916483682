"""Tiny random HuggingFace checkpoints and their outputs: the oracle for biaslab's HF loaders.

Run on a machine with PyTorch and transformers (no internet needed):
    python3 bench/hf/make_fixtures.py OUT_DIR
Writes OUT_DIR/<name>/{config.json, model.safetensors, expected.safetensors, README.md} for
bert, gpt2, vit, t5 (ReLU feed-forward, tied embeddings) and t5-gated (gated-gelu, untied).
Every parameter gets N(0, 0.05) noise on top of HF's init so that LayerNorm gains, biases and
zero-initialised tensors are not at their trivial values.
"""
import json, os, sys
import torch
import transformers
from safetensors.torch import save_file
from transformers import (BertConfig, BertModel, GPT2Config, GPT2LMHeadModel, ViTConfig, ViTModel,
                          T5Config, T5ForConditionalGeneration)

OUT = sys.argv[1]
VOCAB = 99


def perturb(model, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.05)
    model.eval()
    return model


def ids(seed, b, t):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(1, VOCAB, (b, t), generator=g)


def save(name, model, expected, readme):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    model.save_pretrained(d, safe_serialization=True)
    save_file({k: v.detach().contiguous().float() if v.is_floating_point() else v.contiguous()
               for k, v in expected.items()}, os.path.join(d, "expected.safetensors"))
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write(f"# {name}: a tiny random HF checkpoint and its outputs\n\n"
                f"Made by `bench/hf/make_fixtures.py` with torch {torch.__version__}, transformers "
                f"{transformers.__version__}, float32, eval mode, eager attention.\n"
                f"Every parameter is HF's init plus N(0, 0.05) noise.\n\n`expected.safetensors`:\n" + readme)


def stack(name, xs):
    return {f"{name}.{i}": x for i, x in enumerate(xs)}


mask = torch.tensor([[1] * 7, [1] * 5 + [0] * 2])

# ---- BERT
torch.manual_seed(0)
cfg = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
                 max_position_embeddings=64, type_vocab_size=2, attn_implementation="eager")
m = perturb(BertModel(cfg), 1)
x = ids(2, 2, 7)
tt = torch.tensor([[0, 0, 0, 1, 1, 1, 1], [0, 0, 1, 1, 1, 0, 0]])
with torch.no_grad():
    o = m(input_ids=x, attention_mask=mask, token_type_ids=tt, output_hidden_states=True, output_attentions=True)
save("bert", m, {"input_ids": x.int(), "attention_mask": mask.int(), "token_type_ids": tt.int(),
                 **stack("hidden", o.hidden_states), **stack("attention", o.attentions),
                 "pooler_output": o.pooler_output},
     "- `input_ids`, `attention_mask`, `token_type_ids`: int32 [2, 7]; row 1 is padded after 5 tokens\n"
     "- `hidden.i`: [2, 7, 32], i = 0 the embeddings' output (after their LayerNorm), i = l + 1 layer l's output\n"
     "- `attention.l`: [2, 4, 7, 7] layer l's attention probabilities\n"
     "- `pooler_output`: [2, 32] tanh(W h[:, 0] + b)\n")

# ---- GPT-2 (LM head model: keys carry the `transformer.` prefix; lm_head is tied to wte)
torch.manual_seed(0)
cfg = GPT2Config(vocab_size=VOCAB, n_positions=64, n_embd=32, n_layer=2, n_head=4, attn_implementation="eager")
m = perturb(GPT2LMHeadModel(cfg), 3)
x = ids(4, 2, 7)
with torch.no_grad():
    o = m(input_ids=x, attention_mask=mask, output_hidden_states=True, output_attentions=True)
save("gpt2", m, {"input_ids": x.int(), "attention_mask": mask.int(), **stack("hidden", o.hidden_states),
                 **stack("attention", o.attentions), "logits": o.logits},
     "- `input_ids`, `attention_mask`: int32 [2, 7]; row 1 is padded after 5 tokens (right padding)\n"
     "- `hidden.i`: [2, 7, 32], i = 0 wte + wpe, i = l + 1 block l's output, except that the last entry (i = 2)\n"
     "  is after the final `ln_f` (HF applies ln_f to the last hidden state)\n"
     "- `attention.l`: [2, 4, 7, 7] block l's attention probabilities (causal and padding masks)\n"
     "- `logits`: [2, 7, 99] ln_f output times wte^T\n")

# ---- ViT
torch.manual_seed(0)
cfg = ViTConfig(image_size=32, patch_size=8, num_channels=3, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                intermediate_size=37, attn_implementation="eager")
m = perturb(ViTModel(cfg), 5)
px = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(6))
with torch.no_grad():
    o = m(pixel_values=px, output_hidden_states=True, output_attentions=True)
save("vit", m, {"pixel_values": px, **stack("hidden", o.hidden_states), **stack("attention", o.attentions),
                "last_hidden_state": o.last_hidden_state, "pooler_output": o.pooler_output},
     "- `pixel_values`: [2, 3, 32, 32]; 16 patches of 8x8 plus CLS = 17 tokens\n"
     "- `hidden.i`: [2, 17, 32], i = 0 patch + CLS + position embeddings, i = l + 1 layer l's output (before the final layernorm)\n"
     "- `attention.l`: [2, 4, 17, 17]\n"
     "- `last_hidden_state`: [2, 17, 32] after the final `layernorm`; `pooler_output`: [2, 32] tanh(W h[:, 0] + b)\n")

# ---- T5 (two variants)
for name, ff, tie, seed in [("t5", "relu", True, 7), ("t5-gated", "gated-gelu", False, 9)]:
    torch.manual_seed(0)
    cfg = T5Config(vocab_size=VOCAB, d_model=32, d_kv=8, d_ff=37, num_layers=2, num_decoder_layers=2, num_heads=4,
                   relative_attention_num_buckets=8, relative_attention_max_distance=20, feed_forward_proj=ff,
                   tie_word_embeddings=tie, decoder_start_token_id=0, pad_token_id=0, attn_implementation="eager")
    m = perturb(T5ForConditionalGeneration(cfg), seed)
    x = ids(seed + 1, 2, 7)
    dx = ids(seed + 2, 2, 5)
    with torch.no_grad():
        o = m(input_ids=x, attention_mask=mask, decoder_input_ids=dx, output_hidden_states=True, output_attentions=True)
    save(name, m, {"input_ids": x.int(), "attention_mask": mask.int(), "decoder_input_ids": dx.int(),
                   **stack("encoder_hidden", o.encoder_hidden_states), **stack("decoder_hidden", o.decoder_hidden_states),
                   **stack("encoder_attention", o.encoder_attentions), **stack("decoder_attention", o.decoder_attentions),
                   **stack("cross_attention", o.cross_attentions), "logits": o.logits},
         f"- feed_forward_proj = {ff}, tie_word_embeddings = {tie}\n"
         "- `input_ids`, `attention_mask`: int32 [2, 7] (row 1 padded after 5); `decoder_input_ids`: int32 [2, 5] (no decoder mask)\n"
         "- `encoder_hidden.i`: [2, 7, 32], i = 0 the embedding, i = l + 1 block l's output; the last (i = 2) is after\n"
         "  the encoder's final_layer_norm\n"
         "- `decoder_hidden.i`: [2, 5, 32], likewise (the last after the decoder's final_layer_norm)\n"
         "- `encoder_attention.l` [2, 4, 7, 7], `decoder_attention.l` [2, 4, 5, 5], `cross_attention.l` [2, 4, 5, 7]\n"
         "- `logits`: [2, 5, 99]; with tied embeddings the decoder output is scaled by d_model^-0.5 before lm_head\n")
print("ok", torch.__version__, transformers.__version__)
