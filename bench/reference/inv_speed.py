"""NumPy's inverse of the Gram matrix our EASE inverted; also how far our float32 inverse is from it."""
import json, sys, time
import numpy as np

path, n = sys.argv[1], int(sys.argv[2])
raw = open(path, "rb").read()
g = np.frombuffer(raw, dtype=np.float64, count=n * n).reshape(n, n)
ours = np.frombuffer(raw, dtype=np.float32, offset=8 * n * n).reshape(n, n)
t = time.perf_counter()
p = np.linalg.inv(g)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "relError": float(np.abs(ours - p).max() / np.abs(p).max()), "version": np.__version__}))
