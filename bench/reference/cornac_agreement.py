"""Cornac's evaluation of MostPop and EASE on our exported ML-100k split; prints one JSON line.

Both files hold `user<TAB>item<TAB>1<TAB>0`: binary interactions, so Cornac's EASE (which uses the
rating values) fits Steck's binary X. NDCG(k=-1) makes Cornac sort the full ranking, without which
its MRR past the top-k would come from an unsorted partition.
"""
import json, sys, time
import numpy as np
import cornac
from cornac.eval_methods import BaseMethod
from cornac.metrics import MRR, NDCG, Recall
from cornac.models import EASE, MostPop

train_path, test_path, lamb = sys.argv[1], sys.argv[2], float(sys.argv[3])
read = lambda p: [(u, i, float(r)) for u, i, r, _ in (l.rstrip("\n").split("\t") for l in open(p))]
method = BaseMethod.from_splits(train_data=read(train_path), test_data=read(test_path), exclude_unknowns=True, rating_threshold=1.0, verbose=False)
metrics = [Recall(k=10), NDCG(k=10), MRR(), NDCG(k=-1)]


class MostPopLowerIndexFirst(MostPop):
    """MostPop with our tie rule (equal counts: lower item index first), to isolate tie-breaking."""

    def score(self, user_idx, item_idx=None):
        s = super().score(user_idx, item_idx)
        return s - 1e-6 * np.arange(len(s)) if item_idx is None else s


out = {"version": cornac.__version__}
for name, model in [("popularity", MostPop()), ("popularity_ties", MostPopLowerIndexFirst()), ("ease", EASE(lamb=lamb, posB=False, verbose=False))]:
    t = time.perf_counter()
    result = method.evaluate(model, metrics, user_based=True)[0]
    m = result.metric_avg_results
    out[name] = {"recall@10": m["Recall@10"], "ndcg@10": m["NDCG@10"], "mrr": m["MRR"], "seconds": time.perf_counter() - t,
                 "users": len(set(method.test_set.uir_tuple[0].tolist()))}
print(json.dumps(out))
