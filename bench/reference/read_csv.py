"""Reads ratings.csv with pandas or polars into the same column types we use; prints one JSON line."""
import json, resource, sys, time

lib, path = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if lib == "pandas":
    import pandas as pd
    df = pd.read_csv(path, dtype={"userId": "int32", "movieId": "int32", "rating": "float32", "timestamp": "uint32"})
    rows = len(df)
else:
    import polars as pl
    df = pl.read_csv(path, schema_overrides={"userId": pl.Int32, "movieId": pl.Int32, "rating": pl.Float32, "timestamp": pl.UInt32})
    rows = df.height
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "maxRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": rows, "version": __import__(lib).__version__}))
