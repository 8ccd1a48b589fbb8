"""implicit's ALS and BPR on our exported ML-100k split (train.tsv / test.tsv), threads = 2,
evaluated with our NDCG@10 definition (full ranking, training items excluded, binary gain)."""
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

def ndcg10(model):
    uids = np.array(sorted(targets))
    ids, _ = model.recommend(uids, X[uids], N=10, filter_already_liked_items=True)
    total = 0.0
    for u, rec in zip(uids, ids):
        rel = targets[u]
        dcg = sum(1 / np.log2(r + 2) for r, i in enumerate(rec) if i in rel)
        idcg = sum(1 / np.log2(r + 2) for r in range(min(10, len(rel))))
        total += dcg / idcg
    return total / len(uids)

out = {"version": implicit.__version__}
with threadpool_limits(1, "blas"):
    for name, model in [
        ("ials", implicit.cpu.als.AlternatingLeastSquares(factors=64, regularization=0.03, alpha=1.0, iterations=15, num_threads=2, random_state=1)),
        ("bpr", implicit.cpu.bpr.BayesianPersonalizedRanking(factors=200, learning_rate=0.01, regularization=0.001, iterations=100, num_threads=2, random_state=1)),
    ]:
        t = time.perf_counter()
        model.fit(X, show_progress=False)
        out[name] = {"seconds": time.perf_counter() - t, "ndcg@10": ndcg10(model)}
print(json.dumps(out))
