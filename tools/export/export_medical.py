#!/usr/bin/env python3
"""Medical backbones -> a VAND detector bundle: PMC-CLIP (ModifiedResNet-50) and BiomedCLIP (timm ViT-B/16 224).

None of the method repos loads these backbones (DETECTORS.md "Backbones"); this script maps their image towers onto
the export modules by parameter name. It reads checkpoint files only: download them on a machine with internet
(tools/export/README.md lists the exact names), together with the text features (see --text).

  python3 export_medical.py --backbone PMC-CLIP --checkpoint checkpoint.pt --text pmc_text.pt \
      --untrained-adapters --out bundles/vand-pmc-untrained
  zsad train --bundle bundles/vand-pmc-untrained --data BRATS_DIR --out bundles/vand-pmc --from-scratch
  python3 export_medical.py --backbone BiomedCLIP --checkpoint open_clip_pytorch_model.bin --text biomed_text.pt \
      --adapters vand_biomedclip.pth --out bundles/vand-biomedclip

Encoder outputs (raw tokens, what VAND's Linear adapters read; `zsad train --from-scratch` fits them):
- PMC-CLIP: tokens_1..tokens_4 = the four stage feature maps [N, grid^2, C] (C 256/512/1024/2048, grids 56/28/14/7
  at 224), global = the attention-pool embedding (768);
- BiomedCLIP: tokens_k = the residual stream after block k, CLS dropped (768, grid 14 at 224), global =
  norm(CLS) @ head.proj (512). timm's LayerNorm eps 1e-6, exact GELU, biased patch convolution, no ln_pre.
A VAND bundle needs adapters to load (BundleLoader), so one of --adapters (a VAND checkpoint trained on this backbone)
or --untrained-adapters (torch.nn.Linear's initialisation, seed 0; the bundle is named ...-untrained) is required:
an untrained bundle is only the starting point of `zsad train --from-scratch` (which replaces them), its maps mean
nothing.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from export_openclip import resize_positional  # noqa: E402
from zsad_export.bundle import write_bundle  # noqa: E402
from zsad_export.model import ClipVisual  # noqa: E402
from zsad_export.modified_resnet import ModifiedResNetVisual  # noqa: E402

TEXT_MODELS = {
    "PMC-CLIP": "PMC-CLIP's own text tower (PubMedBERT, microsoft/BiomedNLP-PubMedBERT-base-uncased-abstract, with "
                "PMC-CLIP's text_projection from the same checkpoint.pt)",
    "BiomedCLIP": "BiomedCLIP's text tower (BiomedBERT, "
                  "hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224 "
                  "through open_clip, context 256)",
}
# Where the image tower sits in each checkpoint (DataParallel's module., open_clip's visual., timm's trunk.).
PREFIXES = {"PMC-CLIP": ("module.visual.", "visual."), "BiomedCLIP": ("module.visual.", "visual.")}


class CheckpointError(Exception):
    pass


def load_visual(path, backbone):
    """The checkpoint's image-tower tensors with the tower prefix removed (text keys dropped)."""
    ck = torch.load(path, map_location="cpu")
    for wrapper in ("state_dict", "model"):
        if isinstance(ck, dict) and isinstance(ck.get(wrapper), dict):
            ck = ck[wrapper]
    for prefix in PREFIXES[backbone]:
        visual = {k[len(prefix):]: v for k, v in ck.items() if k.startswith(prefix)}
        if visual:
            return visual, f"{path} (image tower under '{prefix}')"
    raise CheckpointError(f"{path}: no image-tower keys (expected names starting with one of "
                          f"{', '.join(PREFIXES[backbone])}); is this a {backbone} checkpoint?")


def need(sd, key, where):
    if key not in sd:
        raise CheckpointError(f"{where}: key '{key}' is missing from the checkpoint")
    return sd[key]


def take(sd, key, shape, where):
    t = need(sd, key, where)
    if tuple(t.shape) != tuple(shape):
        raise CheckpointError(f"{where}: key '{key}' has shape {list(t.shape)}, expected {list(shape)}")
    return t.float()


def build_pmc(sd, size, out_layers, where):
    """PMC-CLIP: open_clip ModifiedResNet names, identical to ModifiedResNetVisual's; architecture read from shapes."""
    width = need(sd, "bn3.weight", where).shape[0]
    stage_blocks = [len({m.group(1) for k in sd for m in [re.match(rf"layer{s}\.(\d+)\.", k)] if m})
                    for s in range(1, 5)]
    if min(stage_blocks) == 0:
        raise CheckpointError(f"{where}: stages with blocks {stage_blocks}: key 'layer{stage_blocks.index(0) + 1}.0"
                              ".conv1.weight' is missing from the checkpoint")
    output_dim = need(sd, "attnpool.c_proj.weight", where).shape[0]
    model = ModifiedResNetVisual(size=size, stage_blocks=stage_blocks, width=width, output_dim=output_dim,
                                 out_layers=out_layers)
    state = model.state_dict()
    for name, dst in state.items():
        if name.endswith("num_batches_tracked"):
            continue  # a training counter; eval-mode BatchNorm never reads it
        if name == "attnpool.positional_embedding":
            src = take(sd, name, (need(sd, name, where).shape[0], dst.shape[1]), where)
            # PMC-CLIP itself runs only at 224; other sizes get the table resized bicubic with its mean-token row kept
            # (our choice, as export_openclip.py resizes ViT tables).
            dst.copy_(src if src.shape == dst.shape else resize_positional(src, model.grids[-1], "bicubic"))
            continue
        dst.copy_(take(sd, name, dst.shape, where))
    return model.eval()


def build_biomedclip(sd, size, out_layers, where):
    """BiomedCLIP: open_clip's TimmModel around timm vit_base_patch16_224 (trunk.*, head.proj)."""
    patch_w = need(sd, "trunk.patch_embed.proj.weight", where).float()
    width, patch = patch_w.shape[0], patch_w.shape[-1]
    depth = len({m.group(1) for k in sd for m in [re.match(r"trunk\.blocks\.(\d+)\.", k)] if m})
    embed = need(sd, "head.proj.weight", where).shape[0]
    # timm ViTs have 64-dimensional heads (vit_base: 768 / 12); the weights do not record the head count.
    model = ClipVisual(size=size, patch=patch, width=width, layers=depth, heads=width // 64, embed=embed, act="gelu",
                       mode="raw", out_layers=out_layers, ln_eps=1e-6, patch_bias=True, use_ln_pre=False)
    grid = size // patch
    with torch.no_grad():
        model.conv1.weight.copy_(patch_w)
        model.conv1.bias.copy_(take(sd, "trunk.patch_embed.proj.bias", (width,), where))
        model.class_embedding.copy_(take(sd, "trunk.cls_token", (1, 1, width), where).reshape(width))
        pos = take(sd, "trunk.pos_embed", (1, need(sd, "trunk.pos_embed", where).shape[1], width), where)[0]
        resized = pos if pos.shape[0] == grid * grid + 1 else resize_positional(pos, grid, "bicubic")
        model.positional_embedding.copy_(resized)
        model.ln_post.weight.copy_(take(sd, "trunk.norm.weight", (width,), where))
        model.ln_post.bias.copy_(take(sd, "trunk.norm.bias", (width,), where))
        model.proj.copy_(take(sd, "head.proj.weight", (embed, width), where).t())
        for i, b in enumerate(model.blocks):
            p = f"trunk.blocks.{i}."
            # timm's qkv rows are q, k, v with heads contiguous inside each: the in_proj layout Block splits.
            pairs = [(b.ln_1, "norm1", width), (b.in_proj, "attn.qkv", 3 * width), (b.out_proj, "attn.proj", width),
                     (b.ln_2, "norm2", width), (b.c_fc, "mlp.fc1", 4 * width), (b.c_proj, "mlp.fc2", width)]
            for module, name, rows in pairs:
                module.weight.copy_(take(sd, f"{p}{name}.weight", module.weight.shape, where))
                module.bias.copy_(take(sd, f"{p}{name}.bias", (rows,), where))
    return model.eval()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backbone", required=True, choices=sorted(TEXT_MODELS))
    ap.add_argument("--checkpoint", required=True, help="PMC-CLIP checkpoint.pt, or BiomedCLIP "
                    "open_clip_pytorch_model.bin")
    ap.add_argument("--text", help="torch.save'd [2, D] (or [L, 2, D]) unit text features from the backbone's own "
                    "text tower (README: the prompt ensemble)")
    ap.add_argument("--method", default="vand", help="only vand (raw tokens + Linear adapters)")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--layers", help="stages (PMC-CLIP, default 1,2,3,4) or blocks (BiomedCLIP, default 3,6,9,12)")
    ap.add_argument("--adapters", help="VAND checkpoint (trainable_linearlayer fc.i) trained on this backbone")
    ap.add_argument("--untrained-adapters", action="store_true", help="write torch.nn.Linear-initialised adapters "
                    "(seed 0) for `zsad train --from-scratch` to replace; the bundle cannot detect before that")
    ap.add_argument("--weights", help="the paper's setup word (default: pmc for PMC-CLIP, custom for BiomedCLIP)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    if a.method != "vand":
        raise SystemExit(f"export_medical.py exports VAND bundles only (raw tokens for Linear adapters); "
                         f"'{a.method}' on {a.backbone} is not written")
    if not a.text:
        raise SystemExit(f"export_medical.py needs --text: the [2, D] text features of {TEXT_MODELS[a.backbone]}, "
                         "computed on a machine that has that text model (tools/export/README.md). This script does "
                         "not run a text model.")
    if bool(a.adapters) == a.untrained_adapters:
        raise SystemExit("export_medical.py needs exactly one of --adapters (a VAND checkpoint trained on "
                         f"{a.backbone}) or --untrained-adapters (for `zsad train --from-scratch`): a VAND bundle "
                         "does not load without adapters")
    pmc = a.backbone == "PMC-CLIP"
    layers = tuple(int(x) for x in (a.layers or ("1,2,3,4" if pmc else "3,6,9,12")).split(","))
    try:
        sd, where = load_visual(a.checkpoint, a.backbone)
        model = (build_pmc if pmc else build_biomedclip)(sd, a.size, layers, where)
    except CheckpointError as e:
        raise SystemExit(f"export_medical.py refused the {a.backbone} checkpoint: {e}")
    text = torch.load(a.text).float()
    embed = model.attnpool.c_proj.out_features if pmc else model.proj.shape[1]
    if text.shape[-1] != embed or text.shape[-2] != 2:
        raise SystemExit(f"--text {a.text} has shape {list(text.shape)}; {a.backbone} needs [2, {embed}] "
                         "(normal, abnormal)")
    dims = model.layer_dims() if pmc else [model.conv1.out_channels] * len(layers)
    grids = model.layer_grids() if pmc else None
    name = f"vand-{a.backbone}"
    if a.untrained_adapters:
        torch.manual_seed(0)
        # nn.Linear's own reset_parameters: the same distribution `zsad train --from-scratch` starts from.
        adapters = {f"layer{k}": (lin.weight.detach(), lin.bias.detach())
                    for k, lin in zip(layers, (torch.nn.Linear(d, embed) for d in dims))}
        name += "-untrained"
        print("untrained adapters: train them (zsad train --from-scratch) before this bundle's maps mean anything")
    else:
        ck = torch.load(a.adapters, map_location="cpu")
        ck = ck.get("trainable_linearlayer", ck)
        try:
            adapters = {f"layer{k}": (take(ck, f"fc.{i}.weight", (embed, dims[i]), a.adapters), ck.get(f"fc.{i}.bias"))
                        for i, k in enumerate(layers)}
        except CheckpointError as e:
            raise SystemExit(f"export_medical.py refused the adapters: {e}")
    write_bundle(a.out, model, "vand", name, a.backbone, a.weights or ("pmc" if pmc else "custom"),
                 text, dims, adapters=adapters, grid=None if pmc else a.size // model.patch, grids=grids)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
