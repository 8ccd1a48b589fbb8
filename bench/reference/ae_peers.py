"""Autoencoder peers on exported files: a PyTorch Mult-VAE written from Liang et al. 2018 (their TensorFlow
reference's architecture, initialisation, loss and KL annealing) and Cornac's VAECF, trained a fixed number
of epochs, evaluated by full ranking with the user's history excluded.

usage: ae_peers.py train.tsv test.tsv|- foldin.tsv|- '{"torch": {...}, "cornac": {...}, "k": [...], "threads": 2}'
With a fold-in file the evaluated users are held out of training (strong generalisation): their vector
comes from the encoder on the fold-in rows. Metrics: ndcg@K (IDCG over min(K, |targets|)), recall_liang@K
(hits / min(K, |targets|)), as the TypeScript side computes them."""
import json, resource, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

train_file, test_file, foldin_file, settings = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
torch.set_num_threads(settings.get("threads", 2))


def read(path):
    a = np.loadtxt(path, dtype=np.int64, usecols=(0, 1), ndmin=2)
    return a[:, 0], a[:, 1]


tu, ti = read(train_file)
users = {u: k for k, u in enumerate(dict.fromkeys(tu.tolist()))}
items = {i: k for k, i in enumerate(dict.fromkeys(ti.tolist()))}
U, I = len(users), len(items)
rows = np.fromiter((users[u] for u in tu), np.int64, len(tu))
cols = np.fromiter((items[i] for i in ti), np.int64, len(ti))


def csr(r, c, n):
    order = np.lexsort((c, r))
    r, c = r[order], c[order]
    offsets = np.zeros(n + 1, np.int64)
    np.add.at(offsets, r + 1, 1)
    return np.cumsum(offsets), c


train_off, train_items = csr(rows, cols, U)


def dense(off, cols_, ids):
    x = np.zeros((len(ids), I), np.float32)
    for k, u in enumerate(ids):
        x[k, cols_[off[u]:off[u + 1]]] = 1
    return torch.from_numpy(x)


def evaluation():
    """(history CSR, target CSR) of the evaluated users, in the training item space."""
    if test_file == "-":
        return None
    su, si = read(test_file)
    if foldin_file == "-":  # weak generalisation: the training users' own rows are the history
        keep = np.array([u in users and i in items for u, i in zip(su.tolist(), si.tolist())], bool)
        ev = sorted({users[u] for u in su[keep].tolist()})
        slot = {u: k for k, u in enumerate(ev)}
        tr = np.fromiter((slot[users[u]] for u in su[keep]), np.int64)
        tc = np.fromiter((items[i] for i in si[keep]), np.int64)
        hist = [train_items[train_off[u]:train_off[u + 1]] for u in ev]
    else:
        fu, fi = read(foldin_file)
        keep = np.array([i in items for i in fi.tolist()], bool)
        held = {u: k for k, u in enumerate(dict.fromkeys(fu[keep].tolist()))}
        hr = np.fromiter((held[u] for u in fu[keep]), np.int64)
        hc = np.fromiter((items[i] for i in fi[keep]), np.int64)
        ho, hi = csr(hr, hc, len(held))
        hist = [hi[ho[k]:ho[k + 1]] for k in range(len(held))]
        keep = np.array([u in held and i in items for u, i in zip(su.tolist(), si.tolist())], bool)
        tr = np.fromiter((held[u] for u in su[keep]), np.int64)
        tc = np.fromiter((items[i] for i in si[keep]), np.int64)
    to, ti_ = csr(tr, tc, len(hist))
    targets = [ti_[to[k]:to[k + 1]] for k in range(len(hist))]
    return hist, targets


def metrics(score_fn, ev, ks):
    hist, targets = ev
    kmax = max(ks)
    sums = {f"{m}@{k}": 0.0 for k in ks for m in ("ndcg", "recall_liang")}
    n = 0
    disc = 1 / np.log2(np.arange(2, kmax + 2))
    for start in range(0, len(hist), 1000):
        block = range(start, min(len(hist), start + 1000))
        x = np.zeros((len(block), I), np.float32)
        for k, u in enumerate(block):
            x[k, hist[u]] = 1
        s = score_fn(torch.from_numpy(x)).astype(np.float64)
        s[x > 0] = -np.inf
        top = np.argsort(-s, axis=1, kind="stable")[:, :kmax]
        for k, u in enumerate(block):
            t = targets[u]
            if len(t) == 0:
                continue
            hit = np.isin(top[k], t)
            n += 1
            for K in ks:
                m = min(K, len(t))
                sums[f"ndcg@{K}"] += (hit[:K] * disc[:K]).sum() / disc[:m].sum()
                sums[f"recall_liang@{K}"] += hit[:K].sum() / m
    return {k: v / max(1, n) for k, v in sums.items()}


class MultVae(nn.Module):
    def __init__(self, hidden, latent):
        super().__init__()
        self.latent = latent
        self.q = nn.ModuleList([nn.Linear(I, hidden), nn.Linear(hidden, 2 * latent)])
        self.p = nn.ModuleList([nn.Linear(latent, hidden), nn.Linear(hidden, I)])
        for layer in [*self.q, *self.p]:  # Liang's init: Xavier weights, N(0, 0.001²) biases
            nn.init.xavier_uniform_(layer.weight)
            nn.init.trunc_normal_(layer.bias, std=0.001)

    def forward(self, x, dropout):
        h = F.dropout(F.normalize(x), dropout, self.training)
        h = self.q[1](torch.tanh(self.q[0](h)))
        mu, logvar = h[:, :self.latent], h[:, self.latent:]
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        return self.p[1](torch.tanh(self.p[0](z))), mu, logvar


def torch_multvae(c):
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    model = MultVae(c["hidden"], c["latent"])
    opt = torch.optim.Adam(model.parameters(), lr=c["learningRate"])
    updates = 0
    t = time.perf_counter()
    for _ in range(c["epochs"]):
        model.train()
        order = rng.permutation(U)
        for start in range(0, U, c["batchSize"]):
            x = dense(train_off, train_items, order[start:start + c["batchSize"]])
            logits, mu, logvar = model(x, c["dropout"])
            nll = -(F.log_softmax(logits, 1) * x).sum(1).mean()
            kl = (0.5 * (-logvar + logvar.exp() + mu.pow(2) - 1)).sum(1).mean()
            beta = min(c["beta"], updates / c["annealSteps"]) if c["annealSteps"] > 0 else c["beta"]
            loss = nll + beta * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            updates += 1
    seconds = time.perf_counter() - t
    model.eval()
    out = {"seconds": seconds, "secondsPerEpoch": seconds / c["epochs"]}
    ev = evaluation()
    if ev:
        with torch.no_grad():
            out.update(metrics(lambda x: model(x, 0)[0].numpy(), ev, settings["k"]))
    return out


def cornac_vaecf(c):
    import cornac
    from cornac.data import Dataset
    train = Dataset.from_uir([(str(u), str(i), 1.0) for u, i in zip(tu.tolist(), ti.tolist())], seed=1)
    # Cornac orders users and items by first appearance, as above; checked rather than assumed.
    assert [train.uid_map[str(u)] for u in users] == list(range(U)) and [train.iid_map[str(i)] for i in items] == list(range(I))
    model = cornac.models.VAECF(k=c["latent"], autoencoder_structure=[c["hidden"]], act_fn="tanh", likelihood="mult",
                                n_epochs=c["epochs"], batch_size=c["batchSize"], learning_rate=c["learningRate"], beta=c["beta"], seed=1, use_gpu=False, verbose=False)
    t = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - t
    out = {"seconds": seconds, "secondsPerEpoch": seconds / c["epochs"], "version": cornac.__version__}
    ev = evaluation()
    if ev:
        with torch.no_grad():  # any history folds in through VAECF's encoder, as in its own score()
            out.update(metrics(lambda x: model.vae.decode(model.vae.encode(x)[0]).numpy(), ev, settings["k"]))
    return out


result = {"version": torch.__version__}
if "torch" in settings:
    result["torch"] = torch_multvae(settings["torch"])
if "cornac" in settings:
    result["cornac"] = cornac_vaecf(settings["cornac"])
result["maxRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
