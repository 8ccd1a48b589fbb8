"""The peers of our MF models on exported files (train.tsv, test.tsv or "-"), settings as JSON:
implicit's ALS and BPR (threads = 2) and, when asked, Cornac's BPR (the model behind the published
ML-100k NDCG@10 0.442; single-threaded). Quality is our NDCG@10 definition (full ranking, training
items excluded, binary gain). Prints one JSON line."""
import json, resource, sys, time
import numpy as np
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits
import implicit

train_path, test_path, settings = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])


def read_pairs(path):
    a = np.loadtxt(path, dtype=np.int64, usecols=(0, 1), delimiter="\t", ndmin=2)
    return a[:, 0], a[:, 1]


tu, ti = read_pairs(train_path)
uids, uidx = np.unique(tu, return_inverse=True)
iids, iidx = np.unique(ti, return_inverse=True)
X = csr_matrix((np.ones(len(tu), dtype=np.float32), (uidx, iidx)), shape=(len(uids), len(iids)))
targets = {}
if test_path != "-":
    su, si = read_pairs(test_path)
    upos, ipos = np.searchsorted(uids, su), np.searchsorted(iids, si)
    for u, i, a, b in zip(su, si, upos, ipos):
        if a < len(uids) and uids[a] == u and b < len(iids) and iids[b] == i:
            targets.setdefault(int(a), set()).add(int(b))


def ndcg10_of(users, ids):
    total = 0.0
    for u, rec in zip(users, ids):
        rel = targets[u]
        dcg = sum(1 / np.log2(r + 2) for r, i in enumerate(rec) if i in rel)
        idcg = sum(1 / np.log2(r + 2) for r in range(min(10, len(rel))))
        total += dcg / idcg
    return total / len(users)


def timed_implicit(model, iterations):
    t = time.perf_counter()
    model.fit(X, show_progress=False)
    seconds = time.perf_counter() - t
    r = {"seconds": seconds, "secondsPerEpoch": seconds / iterations}
    if targets:
        users = np.array(sorted(targets))
        ids, _ = model.recommend(users, X[users], N=10, filter_already_liked_items=True)
        r["ndcg@10"] = ndcg10_of(users, ids)
    return r


def cornac_bpr(p):
    import cornac
    from cornac.data import Dataset
    coo = X.tocoo()
    data = Dataset.from_uir([(str(u), str(i), 1.0) for u, i in zip(coo.row, coo.col)], seed=1)
    model = cornac.models.BPR(k=p["factors"], max_iter=p["iterations"], learning_rate=p["learning_rate"], lambda_reg=p["regularization"], seed=1, verbose=False)
    t = time.perf_counter()
    model.fit(data)
    seconds = time.perf_counter() - t
    users = np.array(sorted(targets))
    ids = []
    col = np.array([int(i) for i in data.item_ids])  # Cornac's item index → ours
    for u in users:
        s = np.full(X.shape[1], -np.inf)
        s[col] = model.score(data.uid_map[str(u)])
        s[X[u].indices] = -np.inf
        ids.append(np.argsort(-s, kind="stable")[:10])
    return {"seconds": seconds, "secondsPerEpoch": seconds / p["iterations"], "ndcg@10": ndcg10_of(users, ids), "version": cornac.__version__}


out = {"version": implicit.__version__}
with threadpool_limits(1, "blas"):
    if "ials" in settings:
        p = settings["ials"]
        out["ials"] = timed_implicit(implicit.cpu.als.AlternatingLeastSquares(factors=p["factors"], regularization=p["regularization"], alpha=1.0, iterations=p["iterations"], num_threads=2, random_state=1), p["iterations"])
    if "bpr" in settings:
        p = settings["bpr"]
        out["bpr"] = timed_implicit(implicit.cpu.bpr.BayesianPersonalizedRanking(factors=p["factors"], learning_rate=p["learning_rate"], regularization=p["regularization"], iterations=p["iterations"], num_threads=2, random_state=1), p["iterations"])
    if "cornac_bpr" in settings and targets:
        out["cornac_bpr"] = cornac_bpr(settings["cornac_bpr"])
out["maxRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
