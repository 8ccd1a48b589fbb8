"""The peers of our MF models on our exported ML-100k split (train.tsv / test.tsv): implicit's ALS and
BPR (threads = 2) and Cornac's BPR (the model behind the published NDCG@10 0.442; single-threaded),
all evaluated with our NDCG@10 definition (full ranking, training items excluded, binary gain)."""
import json, sys, time
import numpy as np
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits
import implicit

train_path, test_path = sys.argv[1], sys.argv[2]
rows = lambda p: [tuple(map(int, l.split("\t")[:2])) for l in open(p)]
train, test = rows(train_path), rows(test_path)
users = {u: k for k, u in enumerate(sorted({u for u, _ in train}))}
items = {i: k for k, i in enumerate(sorted({i for _, i in train}))}
X = csr_matrix((np.ones(len(train), dtype=np.float32), ([users[u] for u, _ in train], [items[i] for _, i in train])), shape=(len(users), len(items)))
targets = {}
for u, i in test:
    if u in users and i in items:
        targets.setdefault(users[u], set()).add(items[i])

def ndcg10_of(uids, ids):
    total = 0.0
    for u, rec in zip(uids, ids):
        rel = targets[u]
        dcg = sum(1 / np.log2(r + 2) for r, i in enumerate(rec) if i in rel)
        idcg = sum(1 / np.log2(r + 2) for r in range(min(10, len(rel))))
        total += dcg / idcg
    return total / len(uids)


def ndcg10(model):
    uids = np.array(sorted(targets))
    ids, _ = model.recommend(uids, X[uids], N=10, filter_already_liked_items=True)
    return ndcg10_of(uids, ids)


def cornac_bpr(seed):
    """Cornac BPR with the Microsoft Recommenders settings; scores = item bias + p_u · q_i."""
    import cornac
    from cornac.data import Dataset
    inv_u = {k: u for u, k in users.items()}
    inv_i = {k: i for i, k in items.items()}
    coo = X.tocoo()
    data = Dataset.from_uir([(str(inv_u[u]), str(inv_i[i]), 1.0) for u, i in zip(coo.row, coo.col)], seed=seed)
    model = cornac.models.BPR(k=200, max_iter=100, learning_rate=0.01, lambda_reg=0.001, seed=seed, verbose=False)
    t = time.perf_counter()
    model.fit(data)
    seconds = time.perf_counter() - t
    uids = np.array(sorted(targets))
    ids = []
    for u in uids:
        cu = data.uid_map[str(inv_u[u])]
        s = model.score(cu)
        order = np.full(len(items), -np.inf)
        for ci, iid in enumerate(data.item_ids):
            order[items[int(iid)]] = s[ci]
        order[X[u].indices] = -np.inf
        ids.append(np.argsort(-order, kind="stable")[:10])
    return {"seconds": seconds, "ndcg@10": ndcg10_of(uids, ids), "version": cornac.__version__}

out = {"version": implicit.__version__}
with threadpool_limits(1, "blas"):
    for name, model in [
        ("ials", implicit.cpu.als.AlternatingLeastSquares(factors=64, regularization=0.03, alpha=1.0, iterations=15, num_threads=2, random_state=1)),
        ("bpr", implicit.cpu.bpr.BayesianPersonalizedRanking(factors=200, learning_rate=0.01, regularization=0.001, iterations=100, num_threads=2, random_state=1)),
    ]:
        t = time.perf_counter()
        model.fit(X, show_progress=False)
        out[name] = {"seconds": time.perf_counter() - t, "ndcg@10": ndcg10(model)}
out["cornac_bpr"] = cornac_bpr(1)
print(json.dumps(out))
