"""PyTorch reference of each detector head, written from ../shared/design/DETECTORS.md (the recorded math of the
authors' code), independently of the C# heads in src/Inference/Heads. Inputs are the encoder outputs of one batch:
tokens[l] [N, G*G, W_l] (CLS already dropped), g [N, D]; every function returns (map [N, S, S], score [N]) on the
method's own scale. T is [2, D] = (normal, abnormal), unit rows."""
import math

import torch
import torch.nn.functional as F


def l2(x):
    return x / x.norm(dim=-1, keepdim=True)


def _grid(t):
    # [N, P, C] -> [N, C, G, G]; patches are row-major as the encoder flattens them.
    n, p, c = t.shape
    g = int(round(p ** 0.5))
    return t.permute(0, 2, 1).reshape(n, c, g, g)


def _up(x, size, align):
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=align)


def gaussian_scipy(maps, sigma):
    """scipy.ndimage.gaussian_filter defaults on each [S, S] map: truncate 4 -> radius round(4 sigma), mode
    'reflect' (d c b a | a b c d | d c b a), separable."""
    if sigma <= 0:
        return maps
    r = int(round(4 * sigma))
    i = torch.arange(-r, r + 1, dtype=torch.float64)
    k = torch.exp(-0.5 * i * i / (sigma * sigma))
    k = (k / k.sum()).to(maps.dtype)

    def reflect_index(n):
        j = torch.arange(-r, n + r)
        while True:
            low, high = j < 0, j >= n
            if not (low.any() or high.any()):
                return j
            j = torch.where(low, -j - 1, j)
            j = torch.where(j >= n, 2 * n - j - 1, j)

    n_, s1, s2 = maps.shape
    out = maps[:, :, reflect_index(s2)].unfold(2, 2 * r + 1, 1) @ k          # along x
    out = out[:, reflect_index(s1), :].unfold(1, 2 * r + 1, 1) @ k          # along y
    return out


def vand_zero_shot(tokens, adapters, T, g, size, temperature=0.01, align=True):
    """Linear adapter per layer -> L2 -> logits f.T/temperature -> bilinear upsample of logits -> softmax -> p_a,
    summed over layers. Image score softmax(g.T/temperature)[a] with g unit."""
    total = 0
    for t, (w, b) in zip(tokens, adapters):
        f = l2(t @ w.T + (b if b is not None else 0))
        logits = _up(_grid(f @ T.T / temperature), size, align)
        total = total + torch.softmax(logits, dim=1)[:, 1]
    score = torch.softmax(l2(g) @ T.T / temperature, dim=-1)[:, 1]
    return total, score


def vand_few_shot_map(tokens, memory, size, align=True):
    """Per layer: min over the memory's tokens of (1 - cos) per patch, upsampled, summed over layers."""
    total = 0
    for t, m in zip(tokens, memory):
        d = 1 - l2(t) @ l2(m).T                   # [N, P, M]
        dmin = d.min(dim=-1).values.unsqueeze(-1)   # [N, P, 1]
        total = total + _up(_grid(dmin), size, align)[:, 0]
    return total


def anomalyclip(tokens, T, g, size, temperature=0.07, sigma=4.0, align=False):
    """Per layer p = softmax(f.T / 0.07) per patch, bilinear upsample of probabilities (align_corners False), p_a,
    summed over layers, Gaussian sigma 4. Image score softmax(g.T/0.07)[a]."""
    total = 0
    for t in tokens:
        p = torch.softmax(l2(t) @ T.T / temperature, dim=-1)
        total = total + _up(_grid(p), size, align)[:, 1]
    score = torch.softmax(l2(g) @ T.T / temperature, dim=-1)[:, 1]
    return gaussian_scipy(total, sigma), score


def anovl(tokens, T, g, size, temperature=1.0, align=True):
    """softmax(f.T) without temperature -> p_a -> replicate pad 1 and 3x3 mean -> bilinear (align_corners True).
    Single-view image score softmax(g.T)[a] (the authors average 22 augmented views)."""
    total = 0
    for t in tokens:
        pa = _grid(torch.softmax(l2(t) @ T.T / temperature, dim=-1))[:, 1:2]
        pa = F.avg_pool2d(F.pad(pa, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
        total = total + _up(pa, size, align)[:, 0]
    score = torch.softmax(l2(g) @ T.T / temperature, dim=-1)[:, 1]
    return total, score


ANOVL_ANGLES = [-math.pi / 4, -3 * math.pi / 16, -math.pi / 8, -math.pi / 16, math.pi / 16, math.pi / 8, 3 * math.pi / 16,
                math.pi / 4]
ANOVL_SHIFTS = [(0.2, 0.2), (-0.2, 0.2), (-0.2, -0.2), (0.2, -0.2), (0.1, 0.1), (-0.1, 0.1), (-0.1, -0.1), (0.1, -0.1)]


def _affine(x, theta):
    # theta [2, 3] in float32, as the authors build it with torch.tensor(python float).
    grid = F.affine_grid(theta[None].repeat(x.shape[0], 1, 1), list(x.shape), align_corners=True)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=True)


def anovl_views(x):
    """AnoVL's 22 test-time views of a normalised batch x [N, 3, S, S] (their utils.py aug(), applied after
    normalisation), returned [22, N, 3, S, S] in their order without the final shuffle. kornia is not installed here:
    its hflip is x.flip(-1), rgb_to_grayscale is 0.299 R + 0.587 G + 0.114 B, and rotate by +90 k degrees about the
    centre of a square image with reflection padding lands exactly on the pixel grid, i.e. torch.rot90(x, k, (2, 3))."""
    views = [x]
    for a in ANOVL_ANGLES:
        t = torch.tensor(a)
        views.append(_affine(x, torch.stack([torch.stack([t.cos(), -t.sin(), torch.tensor(0.0)]),
                                             torch.stack([t.sin(), t.cos(), torch.tensor(0.0)])])))
    for a, b in ANOVL_SHIFTS:
        views.append(_affine(x, torch.tensor([[1.0, 0.0, a], [0.0, 1.0, b]])))
    views.append(x.flip(-1))
    grey = 0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]
    views.append(grey.repeat(1, 3, 1, 1))
    for k in (1, 2, 3):
        views.append(torch.rot90(x, k, (2, 3)))
    return torch.stack(views)


def anovl_augmented_score(global_of, x, T, temperature=1.0):
    """AnoVL's image score: mean over the 22 views of softmax(g.T)[a]; global_of maps a batch to g [N, D]."""
    views = anovl_views(x)
    scores = [torch.softmax(l2(global_of(v)) @ T.T / temperature, dim=-1)[:, 1] for v in views]
    return torch.stack(scores).mean(dim=0)


def mediclip(tokens, adapters, T, size, temperature=1.0, align=True):
    """Conv1x1 (= linear per patch) -> L2 -> logits f.T (no temperature), mean over layers -> bilinear -> softmax
    -> p_a. Image score max(p_a)."""
    logits = 0
    for t, (w, b) in zip(tokens, adapters):
        f = l2(t @ w.T + (b if b is not None else 0))
        logits = logits + f @ T.T / temperature
    logits = logits / len(tokens)
    pa = torch.softmax(_up(_grid(logits), size, align), dim=1)[:, 1]
    return pa, pa.flatten(1).max(dim=1).values


def mvfa_zero_shot(tokens, T, size, temperature=0.01, align=True):
    """Segmentation-adapter features -> L2 -> softmax-after-upsample of 100 f.T -> p_a, summed over layers (the
    authors then min-max normalise over the test set, which a per-volume service cannot). Image score max(map)."""
    total = 0
    for t in tokens:
        logits = _up(_grid(l2(t) @ T.T / temperature), size, align)
        total = total + torch.softmax(logits, dim=1)[:, 1]
    return total, total.flatten(1).max(dim=1).values


def kmeans_first_distinct(points, k, max_iter=300):
    """Lloyd's k-means with a deterministic start, written identically in C# (Heads/DeterministicKMeans.cs):
    the initial centres are the first k pairwise-distinct rows of `points` in the given order (the caller passes
    them in descending anomaly order); each iteration assigns every row to its nearest centre by squared
    Euclidean distance (ties to the lower index), then moves each centre to the mean of its rows (an empty
    cluster keeps its centre); stops when no assignment changes. float64 throughout. sklearn's KMeans (random
    k-means++ with n_init) cannot be reproduced bit for bit: this is the documented deviation."""
    pts = points.double()
    centres = []
    for row in pts:
        if all(not torch.equal(row, c) for c in centres):
            centres.append(row)
            if len(centres) == k:
                break
    c = torch.stack(centres)
    labels = None
    for _ in range(max_iter):
        d = ((pts[:, None, :] - c[None, :, :]) ** 2).sum(-1)
        new = d.argmin(dim=1)                       # first minimum on ties
        if labels is not None and torch.equal(new, labels):
            break
        labels = new
        for j in range(c.shape[0]):
            members = pts[labels == j]
            if len(members) > 0:
                c[j] = members.mean(dim=0)
    return labels, c.shape[0]


def adaclip(tokens, g, text, size, temperature=0.01, sigma=4.0, align=True, clusters=20, per_cluster=5):
    """tokens[l] [N, P, D] after Linear_k, g [N, D] after the CLS Linear, text [N, 2, D] (per image).
    Map: 100 f_k.T per layer -> bilinear (align_corners True) -> mean over layers -> softmax -> p_a -> Gaussian 4.
    Score (hybrid semantic fusion): p_a per patch from the layer-mean logits (before upsampling); the top
    clusters*per_cluster patches; k-means on their concatenated layer tokens; each cluster's centre is the mean of
    its members' tokens over all layers (the authors cat the per-layer rows, then mean); c = L2(mean of the
    non-empty clusters' centres); score = softmax(100 L2(0.2 c + 0.8 g).T)[a]."""
    f = [l2(t) for t in tokens]
    gu = l2(g)
    maps, scores = [], []
    for b in range(g.shape[0]):
        T = text[b]
        logits = [fl[b:b + 1] @ T.T / temperature for fl in f]               # [1, P, 2] per layer
        up = torch.stack([_up(_grid(x), size, align) for x in logits]).mean(dim=0)
        maps.append(torch.softmax(up, dim=1)[:, 1])
        pa = torch.softmax(torch.stack(logits).mean(dim=0), dim=-1)[0, :, 1]  # [P]
        top = torch.topk(pa, k=min(pa.shape[0], clusters * per_cluster)).indices
        selected = [fl[b, top] for fl in f]                                   # [K, D] per layer
        labels, count = kmeans_first_distinct(torch.cat(selected, dim=1), clusters)
        centres = []
        for j in range(count):
            rows = torch.cat([s[labels == j] for s in selected], dim=0)
            if len(rows) > 0:
                centres.append(rows.double().mean(dim=0))
        c = l2(torch.stack(centres).mean(dim=0)).float()
        fused = l2(0.2 * c + 0.8 * gu[b])
        scores.append(torch.softmax(fused @ T.T / temperature, dim=-1)[1])
    return gaussian_scipy(torch.cat(maps), sigma), torch.stack(scores)


def anovl_tta_tokens(x, E, T, weight, bias, noises, lr=1e-3, weight_decay=0.01):
    """AnoVL's test-time adapter on one image's tokens x [P, D] (ln_post(vv) @ proj, not normalised), with autograd
    and torch.optim.AdamW as the authors run it (hq-deng/AnoVL vl_test.py + model.py TextAdapter):
    y = 0.5 x + 0.5 tanh(W L2(x) + b) @ E; p = softmax(L2(y) @ T.T) (no temperature); per step the batch is
    [x, x + noise_s]; loss = mean_patches(entropy(p_clean)) + 0.5 mean_patches(-log p_noisy,a - log p_clean,n).
    W, b start from the given draws (the authors: nn.Linear.reset_parameters per image); AdamW defaults but lr
    (betas 0.9/0.999, eps 1e-8, weight decay 0.01), a fresh optimiser per image. Returns the adapted clean tokens."""
    w = weight.clone().double().requires_grad_(True)
    b_ = bias.clone().double().requires_grad_(True)
    x, E, T = x.double(), E.double(), T.double()
    opt = torch.optim.AdamW([w, b_], lr=lr, weight_decay=weight_decay)

    def adapt(v):
        return 0.5 * v + 0.5 * torch.tanh(l2(v) @ w.T + b_) @ E

    for noise in noises:
        p = torch.softmax(l2(adapt(torch.stack([x, x + noise.double()]))) @ T.T, dim=-1)
        clean, noisy = p[0], p[1]
        entropy = -(clean * clean.log()).sum(-1).mean()
        hard = (-noisy[:, 1].log() - clean[:, 0].log()).mean()
        loss = entropy + 0.5 * hard
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return adapt(x).float()
def mvfa_few_shot(tokens, memory, T, size, temperature=0.01, align=True):
    """MVFA-AD test_few.py (seg head, Brain): zero-shot map Z (above) and few-shot map F = sum over layers of the
    upsampled min over the memory of (1 - cos); the authors combine 0.5 minmax(Z) + 0.5 minmax(F) over the test set.
    Per-image form with the maps' fixed ranges instead ([0, L] and [0, 2L]): 0.5 Z / L + 0.5 F / (2L). Image score
    max of that map (the authors' max of the combined map)."""
    zero, _ = mvfa_zero_shot(tokens, T, size, temperature, align)
    few = vand_few_shot_map(tokens, memory, size, align)
    layers = len(tokens)
    combined = 0.5 * zero / layers + 0.5 * few / (2 * layers)
    return combined, combined.flatten(1).max(dim=1).values
