"""The same training steps in PyTorch (CPU, the given threads): Mult-VAE-sized and SASRec-sized, median of 5 after 2 warm-up."""
import json, resource, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

which = sys.argv[1]
torch.set_num_threads(int(sys.argv[-1]))
torch.manual_seed(1)

if which == "multvae":
    I, batch = int(sys.argv[2]), int(sys.argv[3])
    enc1, enc2 = nn.Linear(I, 600), nn.Linear(600, 400)
    dec1, dec2 = nn.Linear(200, 600), nn.Linear(600, I)
    params = [*enc1.parameters(), *enc2.parameters(), *dec1.parameters(), *dec2.parameters()]
    X = (torch.rand(batch, I) < 0.01).float()
    opt = torch.optim.Adam(params, lr=1e-3)

    def loss_fn():
        h = torch.tanh(enc1(F.dropout(F.normalize(X), 0.5, True)))
        stats = enc2(h)
        mu, logvar = stats[:, :200], stats[:, 200:]
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = dec2(torch.tanh(dec1(z)))
        nll = -(F.log_softmax(logits, 1) * X).sum()
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (nll + 0.2 * kl) / batch
else:
    I, L, batch, d = map(int, sys.argv[2:6])

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.attn = nn.MultiheadAttention(d, 1, dropout=0.2, batch_first=True, bias=False)
            self.f1, self.f2 = nn.Linear(d, d), nn.Linear(d, d)

        def forward(self, x, mask):
            q = self.ln1(x)
            x = x + F.dropout(self.attn(q, q, q, attn_mask=mask, need_weights=False)[0], 0.2, True)
            return x + F.dropout(self.f2(F.dropout(F.relu(self.f1(self.ln2(x))), 0.2, True)), 0.2, True)

    items, pos = nn.Embedding(I + 1, d), nn.Embedding(L, d)
    blocks = nn.ModuleList([Block(), Block()])
    ln, bias = nn.LayerNorm(d), nn.Parameter(torch.zeros(I + 1))
    params = [*items.parameters(), *pos.parameters(), *blocks.parameters(), *ln.parameters(), bias]
    seq = torch.randint(1, I + 1, (batch, L))
    targets = torch.randint(1, I + 1, (batch * L,))
    mask = torch.triu(torch.full((L, L), float("-inf")), 1)
    opt = torch.optim.Adam(params, lr=1e-3)

    def loss_fn():
        x = F.dropout(items(seq) + pos.weight, 0.2, True)
        for b in blocks:
            x = b(x, mask)
        h = ln(x).reshape(batch * L, d)
        return F.cross_entropy(h @ items.weight.T + bias, targets)

def step():
    opt.zero_grad()
    loss = loss_fn()
    loss.backward()
    opt.step()
    return loss.item()

step(); step()
times = []
for _ in range(5):
    t = time.perf_counter(); loss = step(); times.append(time.perf_counter() - t)
times.sort()
print(json.dumps({"seconds": times[2], "stepSeconds": times[2], "loss": loss, "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "version": torch.__version__, "threads": torch.get_num_threads()}))
