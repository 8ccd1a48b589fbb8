"""A PyTorch CML written from Hsieh et al. 2017 and their TensorFlow reference (CollMetric): users and items in
one Euclidean space; per (user, positive) pair U sampled unseen items, the closest is the impostor; loss
Σ w·[m + d(u,i)² − d(u,j)²]₊ with w = log(⌊M·|I|/U⌋ + 1), M the samples inside the margin; λ_c·Σ_{a≠b} C_ab² on
the batch's user and item vectors; Adagrad; every vector clipped to the unit ball after each step. The same
algorithm our `metric/cml` runs, for quality and time per epoch on the identical split.

usage: torch_cml.py train.tsv test.tsv '{"factors":100,"margin":1,"negatives":20,"covariance":1,"learningRate":0.05,
        "batchSize":1000,"epochs":10,"k":[10],"threads":2}'"""
import json, math, sys, time
import numpy as np
import torch
from peer_split import Split

train_file, test_file, c = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
torch.set_num_threads(c.get("threads", 2))
torch.manual_seed(1)
rng = np.random.default_rng(1)
S = Split(train_file, test_file)
U, I, d = S.U, S.I, c["factors"]
seen = torch.zeros((U, I), dtype=torch.bool)
seen[torch.from_numpy(S.rows), torch.from_numpy(S.cols)] = True
P = torch.nn.Parameter(torch.randn(U, d) / math.sqrt(d))
V = torch.nn.Parameter(torch.randn(I, d) / math.sqrt(d))


def clip_():
    with torch.no_grad():
        for w in (P, V):
            w.mul_(torch.clamp(w.norm(dim=1, keepdim=True), min=1.0).reciprocal())


clip_()
opt = torch.optim.Adagrad([P, V], lr=c["learningRate"], initial_accumulator_value=0.1, eps=1e-7)
rows, cols = torch.from_numpy(S.rows), torch.from_numpy(S.cols)
n, B, nneg, m = len(S.rows), c["batchSize"], c["negatives"], c["margin"]
t0 = time.perf_counter()
for epoch in range(c["epochs"]):
    order = torch.from_numpy(rng.permutation(n))
    for s in range(0, n, B):
        b = order[s:s + B]
        u, i = rows[b], cols[b]
        neg = torch.randint(0, I, (len(b), nneg))
        bad = seen[u.unsqueeze(1), neg]
        while bad.any():  # resample the negatives the user has seen
            neg[bad] = torch.randint(0, I, (int(bad.sum()),))
            bad = seen[u.unsqueeze(1), neg]
        pu, vi, vn = P[u], V[i], V[neg]
        dpos = (pu - vi).pow(2).sum(1)
        dneg = (pu.unsqueeze(1) - vn).pow(2).sum(2)
        closest = dneg.min(1).values
        with torch.no_grad():
            violators = ((m + dpos.unsqueeze(1) - dneg) > 0).sum(1).float()
            w = torch.log(torch.floor(violators * I / nneg) + 1)
        loss = (w * torch.relu(m + dpos - closest)).sum()
        if c["covariance"] > 0:
            hit = (m + dpos - closest) > 0  # the rows a violating pair touched, as ours counts them
            imp = neg.gather(1, dneg.argmin(1, keepdim=True)).squeeze(1)
            y = torch.cat([P[torch.unique(u[hit])], V[torch.unique(torch.cat([i[hit], imp[hit]]))]])
            yc = y - y.mean(0)
            cov = yc.T @ yc / len(y)
            loss = loss + c["covariance"] * (cov.pow(2).sum() - cov.diagonal().pow(2).sum())
        opt.zero_grad()
        loss.backward()
        opt.step()
        clip_()
seconds = time.perf_counter() - t0
out = {"seconds": seconds, "secondsPerEpoch": seconds / c["epochs"], "version": torch.__version__}
ev = S.evaluation()
if ev:
    with torch.no_grad():
        out.update(S.metrics(lambda x, ids: -torch.cdist(P[torch.from_numpy(ids)], V).pow(2).numpy(), ev, c["k"]))
print(json.dumps(out))
