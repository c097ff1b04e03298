"""AdaCLIP as one exportable graph (DETECTORS.md "AdaCLIP"; caoyunkang/AdaCLIP method/adaclip.py).

AdaCLIP's text features depend on the image, so the service would need a text encoder at run time. Instead the
exported graph runs, per image, everything up to the features the head compares:
  1. a prompt-free visual pass -> g0 = ln_post(CLS) @ proj (not normalised, as the authors feed it);
  2. dynamic prompts from g0: 5 x Linear(D -> visual width) and 5 x Linear(D -> text width);
  3. the prompted visual pass: prompt tokens = dynamic + static, appended after the patches at block 0 and
     replacing those same slots at blocks 1..depth-1; per output layer the raw patch tokens (CLS and prompts
     dropped) -> Linear_k(width -> D); global = Linear(D -> D)(ln_post(CLS) @ proj);
  4. the prompted text pass over the fixed prompt sentences: after block 0 the tokens 1..length of every sentence
     are replaced by (dynamic + static) text prompts at blocks 1..depth-1 (block 0 sees the plain sentence, as in
     the authors' PromptLayer.forward_text); ln_final at the EOT token @ text_projection; per sentence L2, mean
     per side, L2 -> text [N, 2, D] (normal, abnormal).
Outputs: tokens_<k> [N, G*G, D] (not normalised), global [N, D] (not normalised), text [N, 2, D] (unit rows).
The tokenised sentences are baked in as their token-embedding rows (the fixed prompt ensemble needs no tokenizer
at run time); the EOT position of each sentence is a constant.

Tiny random-weight instances of this class back the parity tests; a real export would copy the OpenAI ViT-L-14-336
weights and the authors' AdaCLIP checkpoint into it (not done here: see tools/export/README.md)."""
import torch
from torch import nn

from .model import Block, ClipVisual


class ClipText(nn.Module):
    """CLIP's text transformer over a fixed set of sentences (token ids), causal attention mask."""

    def __init__(self, token_ids, vocab, width, layers, heads, embed, act="gelu"):
        super().__init__()
        self.register_buffer("token_ids", token_ids)                      # [S, ctx], int64
        self.register_buffer("eot", token_ids.argmax(dim=-1))            # EOT id is the largest, as in CLIP
        ctx = token_ids.shape[1]
        self.token_embedding = nn.Embedding(vocab, width)
        self.positional_embedding = nn.Parameter(torch.randn(ctx, width) * 0.01)
        self.blocks = nn.ModuleList([Block(width, heads, act) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)
        self.text_projection = nn.Parameter(torch.randn(width, embed) * width ** -0.5)
        self.register_buffer("mask", torch.full((ctx, ctx), float("-inf")).triu(1))


def _masked_attention(block, x, mask):
    q, k, v = block.in_proj(x).chunk(3, dim=-1)
    q, k, v = block._split(q), block._split(k), block._split(v)
    scale = q.shape[-1] ** -0.5
    a = torch.softmax((q * scale) @ k.transpose(-1, -2) + mask, dim=-1)
    return block.out_proj(block._merge(a @ v))


def _text_block(block, x, mask):
    x = x + _masked_attention(block, block.ln_1(x), mask)
    return x + block.c_proj(block.act(block.c_fc(block.ln_2(x))))


class AdaClip(nn.Module):
    def __init__(self, size=96, patch=16, width=64, layers=4, heads=4, embed=32, out_layers=(1, 2, 3, 4),
                 prompt_length=5, prompt_depth=3, text_width=48, text_layers=3, text_heads=4, vocab=64,
                 normal_sentences=3, abnormal_sentences=2, ctx=10):
        super().__init__()
        # ClipVisual supplies the weights (conv1, embeddings, blocks, ln_post, proj) and the raw-mode pass.
        self.visual = ClipVisual(size=size, patch=patch, width=width, layers=layers, heads=heads, embed=embed,
                                 act="gelu", mode="raw", out_layers=out_layers)
        self.size, self.grid, self.out_layers = size, size // patch, tuple(out_layers)
        self.length, self.depth = prompt_length, prompt_depth
        self.normal_sentences = normal_sentences
        self.visual_static = nn.Parameter(torch.randn(prompt_depth, prompt_length, width) * 0.02)
        self.text_static = nn.Parameter(torch.randn(prompt_depth, prompt_length, text_width) * 0.02)
        self.visual_dynamic = nn.ModuleList([nn.Linear(embed, width) for _ in range(prompt_length)])
        self.text_dynamic = nn.ModuleList([nn.Linear(embed, text_width) for _ in range(prompt_length)])
        self.patch_layers = nn.ModuleList([nn.Linear(width, embed) for _ in out_layers])
        self.cls_layer = nn.Linear(embed, embed)
        # Sentences: SOT (vocab-2), words, EOT (vocab-1, the largest id), zero padding; length >= 1 + prompt_length.
        ids = torch.zeros(normal_sentences + abnormal_sentences, ctx, dtype=torch.long)
        for s in range(ids.shape[0]):
            words = 1 + prompt_length + (s % 3)
            ids[s, 0] = vocab - 2
            ids[s, 1:words] = torch.randint(1, vocab - 2, (words - 1,))
            ids[s, words] = vocab - 1
        self.text = ClipText(ids, vocab, text_width, text_layers, text_heads, embed)

    def output_names(self):
        return [f"tokens_{k}" for k in self.out_layers] + ["global", "text"]

    def _embed(self, pixels):
        v = self.visual
        x = v.conv1(pixels)
        n, w = x.shape[0], x.shape[1]
        x = x.reshape(n, w, -1).permute(0, 2, 1)
        cls = v.class_embedding.reshape(1, 1, w).expand(n, 1, w)
        return v.ln_pre(torch.cat([cls, x], dim=1) + v.positional_embedding)

    def forward(self, pixels):
        v = self.visual
        g0 = v(pixels)[-1]                                                 # prompt-free pass: ln_post(CLS) @ proj
        n = pixels.shape[0]
        visual_prompts = torch.stack([f(g0) for f in self.visual_dynamic], dim=1)   # [N, len, width]
        text_prompts = torch.stack([f(g0) for f in self.text_dynamic], dim=1)       # [N, len, text width]

        x = self._embed(pixels)
        patches = x.shape[1]
        tokens = {}
        for k, block in enumerate(v.blocks):
            if k < self.depth:
                context = visual_prompts + self.visual_static[k]
                x = torch.cat([x if k == 0 else x[:, :patches], context], dim=1)
            x = block(x)
            if k + 1 in self.out_layers:
                tokens[k + 1] = x[:, 1:patches]
        cls = v.ln_post(x[:, 0]) @ v.proj
        out = [layer(tokens[k]) for layer, k in zip(self.patch_layers, self.out_layers)]
        g = self.cls_layer(cls)

        t = self.text
        s, ctx = t.token_ids.shape
        x = (t.token_embedding(t.token_ids) + t.positional_embedding).unsqueeze(0).expand(n, s, ctx, -1)
        x = x.reshape(n * s, ctx, -1)
        for k, block in enumerate(t.blocks):
            if 0 < k < self.depth:
                context = (text_prompts + self.text_static[k]).unsqueeze(1).expand(n, s, self.length, -1)
                x = torch.cat([x[:, :1], context.reshape(n * s, self.length, -1), x[:, 1 + self.length:]], dim=1)
            x = _text_block(block, x, t.mask)
        x = t.ln_final(x)
        eot = x.reshape(n, s, ctx, -1)[:, torch.arange(s), t.eot]         # [N, S, text width]
        e = eot @ t.text_projection
        e = e / e.norm(dim=-1, keepdim=True)
        normal = e[:, :self.normal_sentences].mean(dim=1)
        abnormal = e[:, self.normal_sentences:].mean(dim=1)
        text = torch.stack([normal / normal.norm(dim=-1, keepdim=True),
                            abnormal / abnormal.norm(dim=-1, keepdim=True)], dim=1)
        return tuple(out) + (g, text)
