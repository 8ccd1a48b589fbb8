"""Full-ranking top-k with NumPy (argpartition over a matmul) or PyTorch CPU (topk over a matmul), in blocks."""
import json, resource, sys, time
import numpy as np

n_users, n_items, d, k = map(int, sys.argv[1:5])
lib = sys.argv[5]
rng = np.random.default_rng(1)
items = rng.standard_normal((n_items, d), dtype=np.float32)
users = rng.standard_normal((n_users, d), dtype=np.float32)
block = 256
if lib == "numpy":
    t = time.perf_counter()
    for b0 in range(0, n_users, block):
        s = users[b0:b0 + block] @ items.T
        part = np.argpartition(-s, k, axis=1)[:, :k]
        top = np.take_along_axis(s, part, axis=1)
        order = np.argsort(-top, axis=1, kind="stable")
        np.take_along_axis(part, order, axis=1)
    version = np.__version__
else:
    import torch
    torch.set_num_threads(2)
    ti, tu = torch.from_numpy(items), torch.from_numpy(users)
    t = time.perf_counter()
    with torch.no_grad():
        for b0 in range(0, n_users, block):
            torch.topk(tu[b0:b0 + block] @ ti.T, k, dim=1)
    version = torch.__version__
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "usersPerSecond": n_users / seconds, "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "version": version}))
