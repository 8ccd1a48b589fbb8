"""Surprise's SVD on ML-100k's official folds u1..u5 (its defaults: 100 factors, 20 epochs, lr 0.005, reg 0.02)."""
import json, os, sys, time
from surprise import SVD, Dataset, Reader, accuracy
from surprise.model_selection import PredefinedKFold

folder = sys.argv[1]
reader = Reader(line_format="user item rating timestamp", sep="\t")
out = []
for k in range(1, 6):
    data = Dataset.load_from_folds([(os.path.join(folder, f"u{k}.base"), os.path.join(folder, f"u{k}.test"))], reader=reader)
    trainset, testset = next(PredefinedKFold().split(data))
    algo = SVD(random_state=k)
    t = time.perf_counter()
    algo.fit(trainset)
    seconds = time.perf_counter() - t
    out.append({"fold": k, "rmse": accuracy.rmse(algo.test(testset), verbose=False), "seconds": seconds, "secondsPerEpoch": seconds / algo.n_epochs})
print(json.dumps(out))
