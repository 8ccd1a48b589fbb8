"""I-AutoRec (Sedhain et al. 2015) in PyTorch (CPU), written from the paper: each item's ratings over the
training users (0 where unobserved) → `hidden` sigmoid units → identity decoder back to the users; loss the
squared error on the observed entries plus λ/2 (‖V‖² + ‖W‖²), scaled per observed rating as ours (so λ means
the same on both sides); Adam, seeded shuffles of the items. A prediction for (u, i) is the decoder's u-th
output on item i's row, clipped to the rating range. With `"centre": true` the encoder reads ratings minus
the training mean, as ours does; false is the paper's raw input.
Runs on ML-100k's official folds u1..u5 (test rows of unseen users or items dropped, as ours) and prints one
JSON line with per-fold RMSE and fit seconds."""
import json, sys, time
import numpy as np
import torch
from ml100k_folds import fold

folder, s = sys.argv[1], json.loads(sys.argv[2])
torch.set_num_threads(s.get("threads", 2))


out = []
for k in range(1, 6):
    torch.manual_seed(k)
    (uids, iids, u, i, r), (test_users, test_items, tr) = fold(folder, k)
    n_users, n_items, n_obs = len(uids), len(iids), len(r)
    mean = float(r.mean())
    R = torch.zeros(n_items, n_users)
    M = torch.zeros(n_items, n_users)
    R[i, u] = torch.from_numpy(r)
    M[i, u] = 1.0
    X = (R - mean) * M if s.get("centre") else R
    H = s["hidden"]
    V = torch.nn.Linear(n_users, H)
    W = torch.nn.Linear(H, n_users)
    opt = torch.optim.Adam(list(V.parameters()) + list(W.parameters()), lr=s["learningRate"])
    t = time.perf_counter()
    for epoch in range(s["epochs"]):
        order = torch.randperm(n_items)
        for a in range(0, n_items, s["batchSize"]):
            idx = order[a : a + s["batchSize"]]
            b = len(idx)
            pred = W(torch.sigmoid(V(X[idx])))
            err = (((pred - R[idx]) ** 2) * M[idx]).sum()
            reg = s["l2"] / 2 * (b / n_items) * ((V.weight ** 2).sum() + (W.weight ** 2).sum())
            loss = (err + reg) / (n_obs / n_items * b)
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t
    with torch.no_grad():
        full = W(torch.sigmoid(V(X)))  # items × users
        pred = torch.clamp(full[torch.from_numpy(test_items), torch.from_numpy(test_users)], float(r.min()), float(r.max())).numpy()
    rmse = float(np.sqrt(np.mean((pred - tr) ** 2)))
    out.append({"fold": k, "rmse": rmse, "seconds": seconds, "secondsPerEpoch": seconds / s["epochs"]})
print(json.dumps(out))
