"""n × n float32 matmul with NumPy (its BLAS, all cores): GFLOP/s."""
import json, resource, sys, time
import numpy as np

n = int(sys.argv[1])
rng = np.random.default_rng(1)
a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
a @ b
reps = max(2, round(2e11 / (2 * n ** 3)))
t = time.perf_counter()
for _ in range(reps):
    a @ b
seconds = (time.perf_counter() - t) / reps
print(json.dumps({"seconds": seconds, "gflops": 2 * n ** 3 / seconds / 1e9, "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "version": np.__version__}))
