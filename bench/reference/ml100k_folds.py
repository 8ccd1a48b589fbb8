"""ML-100k's official folds u1..u5 for the rating peers: training rows as dense indices, and the test rows
whose user and item the training part has (the others dropped, as ours)."""
import os
import numpy as np


def read(path):
    a = np.loadtxt(path, dtype=np.int64, usecols=(0, 1, 2), delimiter="\t")
    return a[:, 0], a[:, 1], a[:, 2].astype(np.float32)


def fold(folder, k):
    """(uids, iids, user index, item index, rating) of u{k}.base, and (user index, item index, rating) of u{k}.test."""
    u, i, r = read(os.path.join(folder, f"u{k}.base"))
    uids, u = np.unique(u, return_inverse=True)
    iids, i = np.unique(i, return_inverse=True)
    tu, ti, tr = read(os.path.join(folder, f"u{k}.test"))
    a, b = np.searchsorted(uids, tu), np.searchsorted(iids, ti)
    keep = (a < len(uids)) & (b < len(iids))
    keep[keep] &= (uids[a[keep]] == tu[keep]) & (iids[b[keep]] == ti[keep])
    return (uids, iids, u, i, r), (a[keep], b[keep], tr[keep])
