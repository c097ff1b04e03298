"""WinCLIP (no official code; facts from the re-implementations caoyunkang/WinClip and zqhang/Accurate-WinCLIP-pytorch,
recorded in docs/detectors.md): the encoder with its windows baked in, the PyTorch reference of the head, and the
bundle writer's `windows` section.

Windows: every k x k block of the patch grid at a stride of s patches, ordered row-major by their top-left patch (as
torch's unfold orders them); each window is the CLS token plus its k*k patch tokens, taken with their positional
embeddings from the full sequence before ln_pre, run through ln_pre and every block; its embedding is
ln_post(CLS) @ proj, like the global one."""
import json
import os

import torch
import torch.nn.functional as F

from .bundle import sha256, write_bundle, write_f32
from .model import ClipVisual
from .reference import l2


def window_index(grid, scale, stride):
    """[W, scale*scale] patch indices (row-major in the grid) of each window, windows row-major by top-left."""
    starts = range(0, grid - scale + 1, stride)
    rows = []
    for y in starts:
        for x in starts:
            rows.append([(y + dy) * grid + (x + dx) for dy in range(scale) for dx in range(scale)])
    return torch.tensor(rows, dtype=torch.long)


class WinClipVisual(ClipVisual):
    """ClipVisual (raw tokens of out_layers + global) with one extra output per window scale: windows_<k> [N, W, D]."""

    def __init__(self, scales=(2, 3), stride=1, **kw):
        super().__init__(mode="raw", **kw)
        self.scales, self.stride = tuple(scales), stride
        for k in self.scales:
            # CLS (index 0 of the sequence) first, then the window's patches (shifted by the CLS slot).
            idx = window_index(self.grid, k, stride) + 1
            self.register_buffer(f"window_index_{k}", torch.cat([torch.zeros(idx.shape[0], 1, dtype=torch.long), idx], 1))

    def output_names(self):
        return super().output_names() + [f"windows_{k}" for k in self.scales]

    def forward(self, pixels):
        outputs = super().forward(pixels)
        sequence = self.embed(pixels)
        n, width = sequence.shape[0], sequence.shape[2]
        for k in self.scales:
            idx = getattr(self, f"window_index_{k}")
            count, length = idx.shape
            x = self.ln_pre(sequence[:, idx.reshape(-1)].reshape(n * count, length, width))
            for block in self.blocks:
                x = block(x)
            outputs += ((self.ln_post(x[:, 0, :]) @ self.proj).reshape(n, count, -1),)
        return outputs


def _coverage(grid, scale, stride):
    """[W, G*G] with 1 where the window covers the patch."""
    idx = window_index(grid, scale, stride)
    c = torch.zeros(idx.shape[0], grid * grid)
    c.scatter_(1, idx, 1.0)
    return c


def harmonic_aggregation(window_scores, grid, scale, stride):
    """Per patch, the harmonic mean of the scores of the windows covering it: count / sum(1 / s). [N, W] -> [N, G*G]."""
    c = _coverage(grid, scale, stride).to(window_scores.dtype)
    return c.sum(0) / ((1.0 / window_scores) @ c)


def _min_half_distance(queries, memory):
    """0.5 * (1 - max cos) of each query row against the memory rows: [N, R, D] x [M, D] -> [N, R]."""
    return 0.5 * (1 - (l2(queries) @ l2(memory).T).max(dim=-1).values)


def zero_shot(windows, g, T, grid, size, scales, stride=1, temperature=0.01):
    """map = (S+1) / (sum over scales of 1/M_s + 1/z0) on the patch grid (3/(1/M3 + 1/M2 + 1/z0) for two scales),
    M_s the harmonic aggregation of the windows' softmax(f.T/t)[a], z0 = softmax(g.T/t)[a]; returned on the grid
    [N, G*G] with z0 [N]."""
    z0 = torch.softmax(l2(g) @ T.T / temperature, dim=-1)[:, 1]
    inverse = 1.0 / z0.unsqueeze(1)
    for w, k in zip(windows, scales):
        s = torch.softmax(l2(w) @ T.T / temperature, dim=-1)[..., 1]
        inverse = inverse + 1.0 / harmonic_aggregation(s, grid, k, stride)
    return (len(scales) + 1) / inverse, z0


def upsample(grid_map, grid, size):
    # zqhang: F.interpolate(..., mode='bilinear') after the fusion, align_corners False.
    return F.interpolate(grid_map.reshape(-1, 1, grid, grid), size=(size, size), mode="bilinear",
                         align_corners=False)[:, 0]


def reference(windows, tokens, g, T, grid, size, scales, stride=1, temperature=0.01, window_memory=None,
              token_memory=None):
    """Zero-shot: (map [N, S, S], z0). Few-shot (zqhang's combination): few = mean over the window scales and the
    patch-level layers of the per-patch 0.5 (1 - max cos) against the same-scale memory (harmonic aggregation for
    windows); map = zero-shot map + few on the grid, then upsampled; image score (z0 + max few) / 2."""
    zero, z0 = zero_shot(windows, g, T, grid, size, scales, stride, temperature)
    if window_memory is None:
        return upsample(zero, grid, size), z0
    terms = [harmonic_aggregation(_min_half_distance(w, m), grid, k, stride)
             for w, m, k in zip(windows, window_memory, scales)]
    terms += [_min_half_distance(t, m) for t, m in zip(tokens, token_memory)]
    few = sum(terms) / len(terms)
    return upsample(zero + few, grid, size), 0.5 * (z0 + few.max(dim=1).values)


def write_winclip_bundle(folder, model, name, backbone, weights, text, layer_dims, window_memory=None,
                         token_memory=None, **kw):
    """write_bundle plus the manifest's `windows` list (scale, output, stride; memoryBank [M, D] per scale when
    few-shot); token_memory [M, sum of layer dims] is the patch-level bank (the top-level memoryBank)."""
    few = window_memory is not None
    manifest = write_bundle(folder, model, "winclip", name, backbone, weights, text, layer_dims, memory=token_memory,
                            image_score="winclip-few-shot" if few else None, **kw)
    manifest["windows"] = []
    for i, k in enumerate(model.scales):
        entry = {"scale": k, "output": f"windows_{k}", "stride": model.stride}
        if few:
            path = f"memory_windows_{k}.f32"
            write_f32(os.path.join(folder, path), window_memory[i])
            entry["memoryBank"] = {"path": path, "shape": list(window_memory[i].shape)}
            manifest["files"][path] = sha256(os.path.join(folder, path))
        manifest["windows"].append(entry)
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return manifest
