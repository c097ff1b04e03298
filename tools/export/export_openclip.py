#!/usr/bin/env python3
"""Real-weights export: an open_clip backbone (+ the method's trained adapters/prompts) -> a detector bundle.

NEEDS A MACHINE WITH INTERNET (or a pre-filled open_clip/Hugging Face cache): it downloads the OpenAI/LAION
weights through open_clip and reads the authors' checkpoints you pass. It has NOT been run in this repository's
CI or sessions (no weights can be downloaded there); the tiny random-weight path (parity.py) proves the bundle
format and the heads, this script only copies real weights into the same ClipVisual graph.

  pip install torch open_clip_torch onnx
  python3 export_openclip.py --method vand --backbone ViT-L-14-336 --pretrained openai --size 518 \
      --layers 6,12,18,24 --adapters exps/pretrained/mvtec_pretrained.pth --text text_features.pt --out bundles/vand
  python3 export_openclip.py --method anovl --backbone ViT-B-16-plus-240 --pretrained laion400m_e32 --size 240 \
      --layers 12 --text anovl_text.pt --out bundles/anovl
  python3 export_openclip.py --method winclip --backbone ViT-B-16-plus-240 --pretrained laion400m_e32 --size 240 \
      --layers 12 --text winclip_text.pt --out bundles/winclip

WinCLIP (zero-shot bundle): the 2x2 and 3x3 windows at stride 1 on the 15x15 grid are baked into the graph
(outputs windows_2 [N, 196, 640], windows_3 [N, 169, 640]); tokens_12 are the raw last-block tokens that a few-shot
bundle's patch memory holds. Its --text is [2, 640]: per side the mean of the raw prompt-ensemble embeddings, then
L2 (zqhang's and caoyunkang's V1). Few-shot memory banks are added later from normal slices (docs/bundle-format.md).

What is baked into encoder.onnx:
- the positional-embedding table resized to the input grid (bicubic; AnomalyCLIP bilinear), CLS row kept;
- the GELU variant the method runs (DETECTORS.md: VAND/AdaCLIP/MVFA exact GELU on OpenAI weights at non-336
  sizes; AnomalyCLIP/MediCLIP QuickGELU; ViT-B-16-plus-240 GELU);
- per-layer patch tokens (raw, value-value + ln_post @ proj, or MVFA adapter features) and the global embedding.
Text features are precomputed by the method's own prompt code and passed in as a [2, D] (or [L, 2, D]) tensor file
(torch.save); this script does not re-implement prompt ensembles. AnoVL's test-time adapter: pass its per-prompt
embeddings with --prompt-embeddings; its image score over the authors' 22 augmented views (imageScore augmented-mean,
22 encoder runs per slice instead of one) with --augmented-image-score. Refused with a message: adaclip, mvfa (see REFUSED below).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from zsad_export.bundle import write_bundle  # noqa: E402
from zsad_export.model import ClipVisual  # noqa: E402
from zsad_export.winclip import WinClipVisual, write_winclip_bundle  # noqa: E402

MODES = {"vand": "raw", "mediclip": "raw", "anomalyclip": "vv", "anovl": "vv", "winclip": "raw"}
ACTS = {"vand": "gelu", "mvfa": "gelu", "adaclip": "gelu", "anomalyclip": "quickgelu", "mediclip": "quickgelu"}


def resize_positional(table, grid, mode):
    cls, rest = table[:1], table[1:]
    old = int(round(rest.shape[0] ** 0.5))
    rest = rest.reshape(1, old, old, -1).permute(0, 3, 1, 2)
    rest = F.interpolate(rest, size=(grid, grid), mode=mode, align_corners=False)
    return torch.cat([cls, rest.permute(0, 2, 3, 1).reshape(grid * grid, -1)])


def copy_openclip(dst, visual, grid, pos_mode):
    sd = visual.state_dict()
    dst.conv1.weight.data.copy_(sd["conv1.weight"])
    dst.class_embedding.data.copy_(sd["class_embedding"])
    dst.positional_embedding.data.copy_(resize_positional(sd["positional_embedding"], grid, pos_mode))
    for n in ("ln_pre", "ln_post"):
        getattr(dst, n).weight.data.copy_(sd[f"{n}.weight"])
        getattr(dst, n).bias.data.copy_(sd[f"{n}.bias"])
    dst.proj.data.copy_(sd["proj"])
    for i, b in enumerate(dst.blocks):
        p = f"transformer.resblocks.{i}."
        b.in_proj.weight.data.copy_(sd[p + "attn.in_proj_weight"])
        b.in_proj.bias.data.copy_(sd[p + "attn.in_proj_bias"])
        b.out_proj.weight.data.copy_(sd[p + "attn.out_proj.weight"])
        b.out_proj.bias.data.copy_(sd[p + "attn.out_proj.bias"])
        for n in ("ln_1", "ln_2"):
            getattr(b, n).weight.data.copy_(sd[p + n + ".weight"])
            getattr(b, n).bias.data.copy_(sd[p + n + ".bias"])
        b.c_fc.weight.data.copy_(sd[p + "mlp.c_fc.weight"])
        b.c_fc.bias.data.copy_(sd[p + "mlp.c_fc.bias"])
        b.c_proj.weight.data.copy_(sd[p + "mlp.c_proj.weight"])
        b.c_proj.bias.data.copy_(sd[p + "mlp.c_proj.bias"])


# Methods this script cannot export yet, and why (it says so instead of writing a bundle that would run wrong).
REFUSED = {
    "adaclip": "AdaCLIP's bundle runs both visual passes and the prompted text pass in one graph "
               "(zsad_export/adaclip.py); copying the OpenAI text tower, the tokenised prompt ensemble and the "
               "authors' checkpoint (prompts, dynamic prompt generators, Linear_k, CLS Linear) into it is not "
               "written yet. Only the tiny random-weight AdaCLIP (parity.py) exists.",
    "mvfa": "MVFA's residual adapters are not mapped from the authors' checkpoint yet.",
}


def main():
    import open_clip  # only here: the parity path must not need it

    ap = argparse.ArgumentParser()
    ap.add_argument("--method", required=True, choices=["vand", "anomalyclip", "anovl", "mediclip", "winclip", *REFUSED])
    ap.add_argument("--backbone", required=True)
    ap.add_argument("--pretrained", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--layers", required=True)
    ap.add_argument("--text", required=True, help="torch.save'd [2,D] or [L,2,D] unit text features")
    ap.add_argument("--adapters", help="VAND checkpoint (trainable_linearlayer) or MediCLIP conv adapters")
    ap.add_argument("--weights", default="industrial")
    ap.add_argument("--prompt-embeddings", help="anovl: torch.save'd [P, D] unit per-prompt text embeddings (normal "
                    "rows, then abnormal), as AnoVL's prompt_ensemble returns them; enables the test-time adapter")
    ap.add_argument("--augmented-image-score", action="store_true",
                    help="anovl: imageScore augmented-mean, the mean over AnoVL's 22 augmented views as the authors "
                    "score images; costs 22 encoder runs per slice (default: global-softmax of the single view)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.method in REFUSED:
        raise SystemExit(f"export_openclip.py cannot export '{a.method}': {REFUSED[a.method]}")
    if a.prompt_embeddings and a.method != "anovl":
        raise SystemExit("--prompt-embeddings is AnoVL's test-time adapter; it does not apply to " + a.method)
    if a.augmented_image_score and a.method != "anovl":
        raise SystemExit("--augmented-image-score is AnoVL's 22-view image score; it does not apply to " + a.method)

    clip, _, _ = open_clip.create_model_and_transforms(a.backbone, pretrained=a.pretrained)
    v = clip.visual
    width, patch = v.conv1.weight.shape[0], v.conv1.weight.shape[-1]
    grid = a.size // patch
    layers = tuple(int(x) for x in a.layers.split(","))
    mode = MODES[a.method]
    text = torch.load(a.text).float()
    if a.method == "winclip":
        # ViT-B-16-plus-240 at 240: the native 15x15 grid, GELU; windows of 2x2 and 3x3 patches at stride 1.
        model = WinClipVisual(scales=(2, 3), stride=1, size=a.size, patch=patch, width=width,
                              layers=len(v.transformer.resblocks), heads=v.transformer.resblocks[0].attn.num_heads,
                              embed=v.proj.shape[1], act="gelu", out_layers=layers)
        copy_openclip(model, v, grid, "bicubic")
        write_winclip_bundle(a.out, model.eval(), f"winclip-{a.backbone}", a.backbone, a.weights, text,
                             [width] * len(layers), grid=grid)
        print("wrote", a.out)
        return
    model = ClipVisual(size=a.size, patch=patch, width=width, layers=len(v.transformer.resblocks),
                       heads=v.transformer.resblocks[0].attn.num_heads, embed=v.proj.shape[1],
                       act=ACTS.get(a.method, "gelu" if "plus" in a.backbone else "quickgelu"), mode=mode,
                       out_layers=layers, vv_start=6 if a.method == "anomalyclip" else 1,
                       global_ln_post=a.method != "anomalyclip")
    # The grid is floor(size / patch): ViT-L/14 at 240 drops the last 2 px, as the conv does.
    model.size = a.size
    copy_openclip(model, v, grid, "bilinear" if a.method == "anomalyclip" else "bicubic")
    adapters = None
    dims = [width if mode == "raw" else v.proj.shape[1]] * len(layers)
    if a.adapters:
        ck = torch.load(a.adapters, map_location="cpu")
        ck = ck.get("trainable_linearlayer", ck)
        adapters = {f"layer{k}": (ck[f"fc.{i}.weight"].reshape(text.shape[-1], -1), ck.get(f"fc.{i}.bias"))
                    for i, k in enumerate(layers)}
    tta = {}
    if a.prompt_embeddings:
        # AnoVL's settings (vl_test.py, test_zero_shot.sh): 5 AdamW steps, lr 1e-3, noise std 0.05 * 1.1,
        # torch.optim.AdamW's default weight decay 0.01.
        tta = dict(prompt_embeddings=torch.load(a.prompt_embeddings).float(),
                   test_time_adapter=dict(steps=5, lr=1e-3, noiseStd=0.055, weightDecay=0.01))
    write_bundle(a.out, model.eval(), a.method, f"{a.method}-{a.backbone}", a.backbone, a.weights, text, dims,
                 adapters=adapters, grid=grid, image_score="augmented-mean" if a.augmented_image_score else None, **tta)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
