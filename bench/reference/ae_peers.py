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
from peer_split import Split

train_file, test_file, foldin_file, settings = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
torch.set_num_threads(settings.get("threads", 2))


S = Split(train_file, test_file, foldin_file)
U, I, users, items, train_off, train_items, tu, ti = S.U, S.I, S.users, S.items, S.train_off, S.train_items, S.tu, S.ti
evaluation, metrics, dense = S.evaluation, S.metrics, S.dense


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
            out.update(metrics(lambda x, _: model(x, 0)[0].numpy(), ev, settings["k"]))
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
            out.update(metrics(lambda x, _: model.vae.decode(model.vae.encode(x)[0]).numpy(), ev, settings["k"]))
    return out


result = {"version": torch.__version__}
if "torch" in settings:
    result["torch"] = torch_multvae(settings["torch"])
if "cornac" in settings:
    result["cornac"] = cornac_vaecf(settings["cornac"])
result["maxRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
