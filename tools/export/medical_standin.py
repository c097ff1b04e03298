#!/usr/bin/env python3
"""Stand-in checkpoints for export_medical.py (tests/Zsad.Inference.Tests/Bundles/MedicalExportTests): random
tensors under exactly the parameter names of PMC-CLIP's checkpoint.pt (module.visual.* of open_clip's
ModifiedResNet, [3,4,6,3] blocks, at width 8 instead of 64) and of BiomedCLIP's open_clip_pytorch_model.bin
(visual.trunk.* of timm's ViT and visual.head.proj, 2 blocks of width 128 instead of 12 of 768), plus a few text keys
the exporter must ignore. The exporter runs on each; the expected outputs come from a functional forward written
here from the raw state dict (F.conv2d / F.batch_norm / F.multi_head_attention_forward as CLIP and timm compute),
not from the exporter's modules, so a match checks the name mapping as well as the ONNX graph.

  python3 tools/export/medical_standin.py OUT

Writes OUT/<case>/{checkpoint.pt, text.pt, adapters.pt, bundle/, bundle-untrained/ (--untrained-adapters),
parity/...} for case pmc-clip and biomedclip, and
OUT/broken/{pmc-missing.pt, pmc-misshaped.pt, biomedclip-missing.pt} with parity/info.json naming the broken keys.
Random weights: nothing here means detection."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import export_medical  # noqa: E402
from zsad_export.bundle import write_f32  # noqa: E402

SIZE, N = 224, 2


def pmc_state(width=8, blocks=(3, 4, 6, 3), embed=24):
    sd = {}

    def conv(name, cout, cin, k):
        sd[name + ".weight"] = torch.randn(cout, cin, k, k) * (cin * k * k) ** -0.5

    def bn(name, c):
        sd[name + ".weight"] = 1 + 0.1 * torch.randn(c)
        sd[name + ".bias"] = 0.1 * torch.randn(c)
        sd[name + ".running_mean"] = 0.1 * torch.randn(c)
        sd[name + ".running_var"] = 0.5 + torch.rand(c)
        sd[name + ".num_batches_tracked"] = torch.tensor(1000)

    conv("conv1", width // 2, 3, 3), bn("bn1", width // 2)
    conv("conv2", width // 2, width // 2, 3), bn("bn2", width // 2)
    conv("conv3", width, width // 2, 3), bn("bn3", width)
    inplanes = width
    for s, count in enumerate(blocks, start=1):
        planes = width * 2 ** (s - 1)
        for i in range(count):
            p = f"layer{s}.{i}."
            conv(p + "conv1", planes, inplanes, 1), bn(p + "bn1", planes)
            conv(p + "conv2", planes, planes, 3), bn(p + "bn2", planes)
            conv(p + "conv3", planes * 4, planes, 1), bn(p + "bn3", planes * 4)
            if i == 0:
                conv(p + "downsample.0", planes * 4, inplanes, 1), bn(p + "downsample.1", planes * 4)
            inplanes = planes * 4
    c = width * 32
    sd["attnpool.positional_embedding"] = torch.randn((SIZE // 32) ** 2 + 1, c) * c ** -0.5
    for n in ("q_proj", "k_proj", "v_proj"):
        sd[f"attnpool.{n}.weight"] = torch.randn(c, c) * c ** -0.5
        sd[f"attnpool.{n}.bias"] = 0.1 * torch.randn(c)
    sd["attnpool.c_proj.weight"] = torch.randn(embed, c) * c ** -0.5
    sd["attnpool.c_proj.bias"] = 0.1 * torch.randn(embed)
    # PMC-CLIP's checkpoint.pt: {"state_dict": {"module.visual.*", "module.text_encoder.*", ...}} (DataParallel).
    full = {"module.visual." + k: v for k, v in sd.items()}
    full["module.text_projection"] = torch.randn(16, embed)
    full["module.text_encoder.embeddings.word_embeddings.weight"] = torch.randn(30, 16)
    return {"state_dict": full, "epoch": 100}, sd


def pmc_reference(sd, x, heads):
    def bn(t, p):
        return F.batch_norm(t, sd[p + ".running_mean"], sd[p + ".running_var"], sd[p + ".weight"], sd[p + ".bias"],
                            False, 0.0, 1e-5)

    x = F.relu(bn(F.conv2d(x, sd["conv1.weight"], stride=2, padding=1), "bn1"))
    x = F.relu(bn(F.conv2d(x, sd["conv2.weight"], padding=1), "bn2"))
    x = F.avg_pool2d(F.relu(bn(F.conv2d(x, sd["conv3.weight"], padding=1), "bn3")), 2)
    tokens = []
    for s in range(1, 5):
        i = 0
        while f"layer{s}.{i}.conv1.weight" in sd:
            p, stride = f"layer{s}.{i}.", 2 if s > 1 and i == 0 else 1
            out = F.relu(bn(F.conv2d(x, sd[p + "conv1.weight"]), p + "bn1"))
            out = F.relu(bn(F.conv2d(out, sd[p + "conv2.weight"], padding=1), p + "bn2"))
            if stride > 1:
                out = F.avg_pool2d(out, stride)
            out = bn(F.conv2d(out, sd[p + "conv3.weight"]), p + "bn3")
            if p + "downsample.0.weight" in sd:
                idn = F.avg_pool2d(x, stride) if stride > 1 else x
                x = bn(F.conv2d(idn, sd[p + "downsample.0.weight"]), p + "downsample.1")
            x = F.relu(out + x)
            i += 1
        tokens.append(x.flatten(2).transpose(1, 2))
    # CLIP's AttentionPool2d: (HW+1, N, C) sequence, full self-attention, row 0.
    seq = x.flatten(2).permute(2, 0, 1)
    seq = torch.cat([seq.mean(dim=0, keepdim=True), seq]) + sd["attnpool.positional_embedding"][:, None, :]
    a = "attnpool."
    pooled, _ = F.multi_head_attention_forward(
        seq, seq, seq, seq.shape[-1], heads, None,
        torch.cat([sd[a + "q_proj.bias"], sd[a + "k_proj.bias"], sd[a + "v_proj.bias"]]), None, None, False, 0.0,
        sd[a + "c_proj.weight"], sd[a + "c_proj.bias"], use_separate_proj_weight=True,
        q_proj_weight=sd[a + "q_proj.weight"], k_proj_weight=sd[a + "k_proj.weight"],
        v_proj_weight=sd[a + "v_proj.weight"], training=False, need_weights=False)
    return tokens, pooled[0]


def biomed_state(width=128, depth=2, patch=16, embed=32):
    sd = {"trunk.patch_embed.proj.weight": torch.randn(width, 3, patch, patch) * (3 * patch * patch) ** -0.5,
          "trunk.patch_embed.proj.bias": 0.1 * torch.randn(width),
          "trunk.cls_token": 0.1 * torch.randn(1, 1, width),
          "trunk.pos_embed": 0.1 * torch.randn(1, (SIZE // patch) ** 2 + 1, width)}
    for i in range(depth):
        p = f"trunk.blocks.{i}."
        for n, rows, cols in (("attn.qkv", 3 * width, width), ("attn.proj", width, width),
                              ("mlp.fc1", 4 * width, width), ("mlp.fc2", width, 4 * width)):
            sd[p + n + ".weight"] = torch.randn(rows, cols) * cols ** -0.5
            sd[p + n + ".bias"] = 0.1 * torch.randn(rows)
        for n in ("norm1", "norm2"):
            sd[p + n + ".weight"] = 1 + 0.1 * torch.randn(width)
            sd[p + n + ".bias"] = 0.1 * torch.randn(width)
    sd["trunk.norm.weight"] = 1 + 0.1 * torch.randn(width)
    sd["trunk.norm.bias"] = 0.1 * torch.randn(width)
    sd["head.proj.weight"] = torch.randn(embed, width) * width ** -0.5
    # open_clip_pytorch_model.bin: a flat dict, visual.* and the BiomedBERT text tower under text.*.
    full = {"visual." + k: v for k, v in sd.items()}
    full["text.transformer.embeddings.word_embeddings.weight"] = torch.randn(30, 16)
    full["logit_scale"] = torch.tensor(4.6)
    return full, sd


def biomed_reference(sd, x, heads, depth):
    w = sd["trunk.norm.weight"].shape[0]
    t = F.conv2d(x, sd["trunk.patch_embed.proj.weight"], sd["trunk.patch_embed.proj.bias"], stride=16)
    t = t.flatten(2).transpose(1, 2)
    t = torch.cat([sd["trunk.cls_token"].expand(t.shape[0], 1, w), t], dim=1) + sd["trunk.pos_embed"]
    tokens = []
    for i in range(depth):
        p = f"trunk.blocks.{i}."

        def ln(v, n):
            return F.layer_norm(v, (w,), sd[p + n + ".weight"], sd[p + n + ".bias"], 1e-6)

        h = ln(t, "norm1").transpose(0, 1)
        a, _ = F.multi_head_attention_forward(h, h, h, w, heads, sd[p + "attn.qkv.weight"], sd[p + "attn.qkv.bias"],
                                              None, None, False, 0.0, sd[p + "attn.proj.weight"],
                                              sd[p + "attn.proj.bias"], training=False, need_weights=False)
        t = t + a.transpose(0, 1)
        t = t + F.linear(F.gelu(F.linear(ln(t, "norm2"), sd[p + "mlp.fc1.weight"], sd[p + "mlp.fc1.bias"])),
                         sd[p + "mlp.fc2.weight"], sd[p + "mlp.fc2.bias"])
        tokens.append(t[:, 1:, :])
    cls = F.layer_norm(t[:, 0], (w,), sd["trunk.norm.weight"], sd["trunk.norm.bias"], 1e-6)
    return tokens, cls @ sd["head.proj.weight"].t()


def inputs():
    return torch.randn(N, 3, SIZE, SIZE)


def case(out, name, checkpoint, tokens, pooled, x, dims, grids, layers):
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "parity"), exist_ok=True)
    embed = pooled.shape[-1]
    ck_path, text_path, ad_path = (os.path.join(d, f) for f in ("checkpoint.pt", "text.pt", "adapters.pt"))
    torch.save(checkpoint, ck_path)
    text = F.normalize(torch.randn(2, embed), dim=-1)
    torch.save(text, text_path)
    torch.save({"trainable_linearlayer": {f"fc.{i}.{p}": t for i, dim in enumerate(dims) for p, t in
                                          (("weight", torch.randn(embed, dim) * dim ** -0.5),
                                           ("bias", 0.1 * torch.randn(embed)))}}, ad_path)
    backbone = "PMC-CLIP" if name == "pmc-clip" else "BiomedCLIP"
    export_medical.main(["--backbone", backbone, "--checkpoint", ck_path, "--text", text_path, "--adapters", ad_path,
                         "--layers", ",".join(map(str, layers)), "--size", str(SIZE),
                         "--out", os.path.join(d, "bundle")])
    # Untrained adapters: what `zsad train --from-scratch` starts from (tests/Zsad.Training.Tests).
    export_medical.main(["--backbone", backbone, "--checkpoint", ck_path, "--text", text_path, "--untrained-adapters",
                         "--layers", ",".join(map(str, layers)), "--size", str(SIZE),
                         "--out", os.path.join(d, "bundle-untrained")])
    write_f32(os.path.join(d, "parity", "inputs.f32"), x)
    outputs = {f"tokens_{k}": t for k, t in zip(layers, tokens)}
    outputs["global"] = pooled
    for o, t in outputs.items():
        write_f32(os.path.join(d, "parity", f"{o}.f32"), t)
    with open(os.path.join(d, "parity", "info.json"), "w") as f:
        json.dump({"n": N, "size": SIZE, "backbone": backbone, "outputs": list(outputs), "grids": grids,
                   "dims": dims, "embed": embed}, f)


def main(out):
    torch.manual_seed(5)
    with torch.no_grad():
        checkpoint, sd = pmc_state()
        x = inputs()
        tokens, pooled = pmc_reference(sd, x, heads=sd["attnpool.positional_embedding"].shape[1] // 64)
        case(out, "pmc-clip", checkpoint, tokens, pooled, x, [32, 64, 128, 256], [56, 28, 14, 7], [1, 2, 3, 4])
        broken = os.path.join(out, "broken")
        os.makedirs(broken, exist_ok=True)
        missing = {"state_dict": {k: v for k, v in checkpoint["state_dict"].items()
                                  if k != "module.visual.layer3.2.conv2.weight"}}
        torch.save(missing, os.path.join(broken, "pmc-missing.pt"))
        misshaped = {"state_dict": dict(checkpoint["state_dict"])}
        misshaped["state_dict"]["module.visual.attnpool.k_proj.weight"] = torch.randn(256, 128)
        torch.save(misshaped, os.path.join(broken, "pmc-misshaped.pt"))

        full, sd = biomed_state()
        x = inputs()
        tokens, pooled = biomed_reference(sd, x, heads=2, depth=2)
        case(out, "biomedclip", full, tokens, pooled, x, [128, 128], [14, 14], [1, 2])
        torch.save({k: v for k, v in full.items() if k != "visual.trunk.blocks.1.attn.qkv.weight"},
                   os.path.join(broken, "biomedclip-missing.pt"))
        torch.save(torch.load(os.path.join(out, "biomedclip", "text.pt")), os.path.join(broken, "biomedclip-text.pt"))
        torch.save(torch.load(os.path.join(out, "pmc-clip", "text.pt")), os.path.join(broken, "pmc-text.pt"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
