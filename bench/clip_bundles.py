"""The bench's two VAND bundles around one exported random-weight encoder: OUT/few-shot (memory bank of one random
image's tokens) and OUT/zero-shot (the same files hard-linked, no memory). Random weights: speed only."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "export"))
import torch  # noqa: E402

from zsad_export.bundle import sha256, write_bundle  # noqa: E402
from zsad_export.reference import l2  # noqa: E402


def write_vand_pair(out, model, width, embed, backbone, opset=14):
    few, zero = os.path.join(out, "few-shot"), os.path.join(out, "zero-shot")
    if os.path.exists(os.path.join(zero, "manifest.json")):
        return
    with torch.no_grad():
        memory = torch.cat([t.reshape(-1, width) for t in model(torch.randn(1, 3, model.size, model.size))[:-1]], dim=1)
    adapters = {f"layer{k}": (torch.randn(embed, width) * width ** -0.5, torch.zeros(embed)) for k in model.out_layers}
    write_bundle(few, model, "vand", "bench-vand-few", backbone, "custom", l2(torch.randn(2, embed)),
                 [width] * len(model.out_layers), adapters=adapters, memory=memory, image_score="vand-few-shot",
                 opset=opset)
    os.makedirs(zero, exist_ok=True)
    manifest = json.load(open(os.path.join(few, "manifest.json")))
    del manifest["memoryBank"], manifest["files"]["memory_bank.f32"]
    manifest["imageScore"] = "global-softmax"
    for f in manifest["files"]:
        if not os.path.exists(os.path.join(zero, f)):
            os.link(os.path.join(few, f), os.path.join(zero, f))
    json.dump(manifest, open(os.path.join(zero, "manifest.json"), "w"), indent=2)


def with_encoder(source, target, encoder_path):
    """Copies the pair at source to target with encoder.onnx replaced by encoder_path (sha256s updated)."""
    for name in ("few-shot", "zero-shot"):
        src, dst = os.path.join(source, name), os.path.join(target, name)
        os.makedirs(dst, exist_ok=True)
        manifest = json.load(open(os.path.join(src, "manifest.json")))
        for f in manifest["files"]:
            if f != manifest["encoder"]:
                shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
        shutil.copyfile(encoder_path, os.path.join(dst, manifest["encoder"]))
        manifest["files"][manifest["encoder"]] = sha256(os.path.join(dst, manifest["encoder"]))
        json.dump(manifest, open(os.path.join(dst, "manifest.json"), "w"), indent=2)
