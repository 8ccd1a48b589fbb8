"""The split a PyTorch peer reads: exported `user<TAB>item<TAB>rating<TAB>ts` files in the dense space of the
training file's users and items (first appearance order, as Cornac and our side use), and full-ranking metrics
computed as the TypeScript side computes them: ndcg@K (IDCG over min(K, |targets|)), recall_liang@K
(hits / min(K, |targets|)), the user's history excluded."""
import numpy as np
import torch


def read(path):
    a = np.loadtxt(path, dtype=np.int64, usecols=(0, 1), ndmin=2)
    return a[:, 0], a[:, 1]


def csr(r, c, n):
    order = np.lexsort((c, r))
    r, c = r[order], c[order]
    offsets = np.zeros(n + 1, np.int64)
    np.add.at(offsets, r + 1, 1)
    return np.cumsum(offsets), c


class Split:
    def __init__(self, train_file, test_file, foldin_file="-"):
        self.test_file, self.foldin_file = test_file, foldin_file
        self.tu, self.ti = read(train_file)
        self.users = {u: k for k, u in enumerate(dict.fromkeys(self.tu.tolist()))}
        self.items = {i: k for k, i in enumerate(dict.fromkeys(self.ti.tolist()))}
        self.U, self.I = len(self.users), len(self.items)
        self.rows = np.fromiter((self.users[u] for u in self.tu), np.int64, len(self.tu))
        self.cols = np.fromiter((self.items[i] for i in self.ti), np.int64, len(self.ti))
        self.train_off, self.train_items = csr(self.rows, self.cols, self.U)

    def dense(self, off, cols_, ids):
        x = np.zeros((len(ids), self.I), np.float32)
        for k, u in enumerate(ids):
            x[k, cols_[off[u]:off[u + 1]]] = 1
        return torch.from_numpy(x)

    def evaluation(self):
        """(history lists, target lists, evaluated users' training ids or None) in the training item space."""
        if self.test_file == "-":
            return None
        users, items = self.users, self.items
        su, si = read(self.test_file)
        if self.foldin_file == "-":  # weak generalisation: the training users' own rows are the history
            keep = np.array([u in users and i in items for u, i in zip(su.tolist(), si.tolist())], bool)
            ev = sorted({users[u] for u in su[keep].tolist()})
            slot = {u: k for k, u in enumerate(ev)}
            tr = np.fromiter((slot[users[u]] for u in su[keep]), np.int64)
            tc = np.fromiter((items[i] for i in si[keep]), np.int64)
            hist = [self.train_items[self.train_off[u]:self.train_off[u + 1]] for u in ev]
            ids = np.array(ev, np.int64)
        else:
            fu, fi = read(self.foldin_file)
            keep = np.array([i in items for i in fi.tolist()], bool)
            held = {u: k for k, u in enumerate(dict.fromkeys(fu[keep].tolist()))}
            hr = np.fromiter((held[u] for u in fu[keep]), np.int64)
            hc = np.fromiter((items[i] for i in fi[keep]), np.int64)
            ho, hi = csr(hr, hc, len(held))
            hist = [hi[ho[k]:ho[k + 1]] for k in range(len(held))]
            keep = np.array([u in held and i in items for u, i in zip(su.tolist(), si.tolist())], bool)
            tr = np.fromiter((held[u] for u in su[keep]), np.int64)
            tc = np.fromiter((items[i] for i in si[keep]), np.int64)
            ids = None
        to, ti_ = csr(tr, tc, len(hist))
        targets = [ti_[to[k]:to[k + 1]] for k in range(len(hist))]
        return hist, targets, ids

    def metrics(self, score_fn, ev, ks):
        """Means over the evaluated users; score_fn(history rows as a dense tensor, training ids or None) → scores."""
        hist, targets, ids = ev
        kmax = max(ks)
        sums = {f"{m}@{k}": 0.0 for k in ks for m in ("ndcg", "recall_liang")}
        n = 0
        disc = 1 / np.log2(np.arange(2, kmax + 2))
        for start in range(0, len(hist), 1000):
            block = range(start, min(len(hist), start + 1000))
            x = np.zeros((len(block), self.I), np.float32)
            for k, u in enumerate(block):
                x[k, hist[u]] = 1
            s = score_fn(torch.from_numpy(x), None if ids is None else ids[start:start + len(block)]).astype(np.float64)
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
