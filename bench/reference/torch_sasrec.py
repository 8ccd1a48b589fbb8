"""A PyTorch SASRec written from Kang & McAuley 2018 with the full-softmax loss of Klenitskiy & Vasilev 2023, the
architecture our `sequence/sasrec` runs: item embeddings × √d + learned positions, dropout, pre-layer-norm blocks of
causal self-attention (padded keys masked) and a ReLU feed-forward with residuals, padded positions zeroed, a final
layer norm, tied item embeddings; each user's time-ordered history cut into windows of L + 1 items from the latest
back; cross-entropy over the catalogue at every real position; Adam; a fixed number of epochs.

usage: torch_sasrec.py train.tsv history.tsv test.tsv '{"factors":64,"blocks":2,"heads":1,"maxLength":50,
        "dropout":0.2,"learningRate":0.001,"batchSize":128,"epochs":10,"threads":2,"seed":1}'
Prints one JSON line: seconds, secondsPerEpoch, and hit_rate@10 / ndcg@10 of each user's test item ranked
against the whole catalogue, the user's history excluded."""
import json, math, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

train_file, history_file, test_file, c = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
torch.set_num_threads(c.get("threads", 2))
torch.manual_seed(c.get("seed", 1))
rng = np.random.default_rng(c.get("seed", 1))


def read(path):
    a = np.loadtxt(path, dtype=np.int64, usecols=(0, 1, 3), ndmin=2)
    return a[:, 0], a[:, 1], a[:, 2]


tu, ti, tt = read(train_file)
items = {i: k for k, i in enumerate(dict.fromkeys(ti.tolist()))}
I, L, d = len(items), c["maxLength"], c["factors"]
PAD = I


def sequences(u, i, t):
    """Each user's items in time order (the files are written sorted by user, time)."""
    out = {}
    for uu, ii in zip(u.tolist(), i.tolist()):
        if ii in items:
            out.setdefault(uu, []).append(items[ii])
    return out


train_seqs = sequences(tu, ti, tt)
windows = [(u, end) for u, s in train_seqs.items() for end in range(len(s), 1, -L)]


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.att = nn.MultiheadAttention(d, c["heads"], dropout=c["dropout"], batch_first=True)
        self.f1, self.f2 = nn.Linear(d, d), nn.Linear(d, d)
        self.drop = nn.Dropout(c["dropout"])

    def forward(self, x, causal, pad, keep):
        h = self.ln1(x)
        x = x + self.drop(self.att(h, h, h, attn_mask=causal, key_padding_mask=pad, need_weights=False)[0])
        x = x + self.drop(self.f2(self.drop(F.relu(self.f1(self.ln2(x))))))
        return x * keep


class SasRec(nn.Module):
    def __init__(self):
        super().__init__()
        self.item = nn.Embedding(I + 1, d)
        self.pos = nn.Embedding(L, d)
        nn.init.xavier_uniform_(self.item.weight)
        nn.init.xavier_uniform_(self.pos.weight)
        self.blocks = nn.ModuleList([Block() for _ in range(c["blocks"])])
        self.ln = nn.LayerNorm(d)
        self.drop = nn.Dropout(c["dropout"])
        self.register_buffer("causal", torch.triu(torch.ones(L, L, dtype=torch.bool), 1))

    def forward(self, seq):
        pad = seq == PAD
        keep = (~pad).unsqueeze(-1).float()
        x = self.drop(self.item(seq) * math.sqrt(d) + self.pos.weight) * keep
        for b in self.blocks:
            x = b(x, self.causal, pad, keep)
        return self.ln(x)


def left_padded(s):
    s = s[-L:]
    return [PAD] * (L - len(s)) + s


model = SasRec()
opt = torch.optim.Adam(model.parameters(), lr=c["learningRate"])
t0 = time.perf_counter()
for epoch in range(c["epochs"]):
    model.train()
    order = rng.permutation(len(windows))
    for s in range(0, len(order), c["batchSize"]):
        batch = [windows[k] for k in order[s:s + c["batchSize"]]]
        inp, tgt = [], []
        for u, end in batch:
            w = train_seqs[u][max(0, end - L - 1):end]
            inp.append(left_padded(w[:-1]))
            tgt.append(left_padded(w[1:]))
        inp, tgt = torch.tensor(inp), torch.tensor(tgt)
        h = model(inp).reshape(-1, d)
        real = (inp != PAD).reshape(-1)
        logits = h[real] @ model.item.weight[:I].T
        loss = F.cross_entropy(logits, tgt.reshape(-1)[real])
        opt.zero_grad()
        loss.backward()
        opt.step()
seconds = time.perf_counter() - t0

model.eval()
hu, hi, ht = read(history_file)
histories = sequences(hu, hi, ht)
su, si, _ = read(test_file)
hits = ndcg = n = 0.0
users = [u for u in su.tolist() if u in histories]
targets = {u: items.get(i) for u, i in zip(su.tolist(), si.tolist())}
with torch.no_grad():
    for s in range(0, len(users), 256):
        block = users[s:s + 256]
        h = model(torch.tensor([left_padded(histories[u]) for u in block]))[:, -1, :]
        scores = h @ model.item.weight[:I].T
        for k, u in enumerate(block):
            scores[k, histories[u]] = -float("inf")
            t = targets[u]
            if t is None:  # a test item no training row has: left out, as our side does
                continue
            n += 1
            rank = int((scores[k] > scores[k, t]).sum()) + int((scores[k, :t] == scores[k, t]).sum())
            if rank < 10:
                hits += 1
                ndcg += 1 / math.log2(rank + 2)
print(json.dumps({"seconds": seconds, "secondsPerEpoch": seconds / c["epochs"], "hit_rate@10": hits / n, "ndcg@10": ndcg / n, "version": torch.__version__}))
