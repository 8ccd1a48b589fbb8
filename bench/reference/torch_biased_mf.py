"""Biased MF in PyTorch (CPU), the same model and training as ours with `optimizer: adam`: user/item
embeddings + biases, r̂ = μ + b_u + b_i + p_u·q_i, loss ½Σ err² + ½λ Σ over the batch's rows of
|p_u|² + |q_i|² + b_u² + b_i², sparse embeddings with SparseAdam (lazy Adam), seeded shuffles.
Runs on ML-100k's official folds u1..u5 (test rows of unseen users or items dropped, as ours);
prints one JSON line with per-fold RMSE and fit seconds."""
import json, sys, time
import numpy as np
import torch
from ml100k_folds import fold

folder, s = sys.argv[1], json.loads(sys.argv[2])
torch.set_num_threads(s.get("threads", 2))


class BiasedMF(torch.nn.Module):
    def __init__(self, n_users, n_items, d, std):
        super().__init__()
        self.p = torch.nn.Embedding(n_users, d, sparse=True)
        self.q = torch.nn.Embedding(n_items, d, sparse=True)
        self.bu = torch.nn.Embedding(n_users, 1, sparse=True)
        self.bi = torch.nn.Embedding(n_items, 1, sparse=True)
        for e in (self.p, self.q):
            torch.nn.init.normal_(e.weight, std=std)
        for e in (self.bu, self.bi):
            torch.nn.init.zeros_(e.weight)

    def forward(self, u, i):
        p, q, bu, bi = self.p(u), self.q(i), self.bu(u).squeeze(1), self.bi(i).squeeze(1)
        return (p * q).sum(1) + bu + bi, (p * p).sum() + (q * q).sum() + (bu * bu).sum() + (bi * bi).sum()


out = []
for k in range(1, 6):
    torch.manual_seed(k)
    (uids, iids, u, i, r), (test_users, test_items, tr) = fold(folder, k)
    mu = float(r.mean())
    model = BiasedMF(len(uids), len(iids), s["factors"], s["initStd"])
    opt = torch.optim.SparseAdam(list(model.parameters()), lr=s["learningRate"])
    U, I, R = torch.from_numpy(u), torch.from_numpy(i), torch.from_numpy(r)
    t = time.perf_counter()
    for epoch in range(s["epochs"]):
        order = torch.randperm(len(R))
        for b in range(0, len(R), s["batchSize"]):
            idx = order[b : b + s["batchSize"]]
            pred, sq = model(U[idx], I[idx])
            loss = 0.5 * ((R[idx] - mu - pred) ** 2).sum() + 0.5 * s["l2"] * sq
            opt.zero_grad()
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - t
    with torch.no_grad():
        pred, _ = model(torch.from_numpy(test_users), torch.from_numpy(test_items))
        pred = torch.clamp(pred + mu, 0.5, 5.0).numpy()
    rmse = float(np.sqrt(np.mean((pred - tr) ** 2)))
    out.append({"fold": k, "rmse": rmse, "seconds": seconds, "secondsPerEpoch": seconds / s["epochs"]})
print(json.dumps(out))
