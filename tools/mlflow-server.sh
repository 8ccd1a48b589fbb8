#!/usr/bin/env bash
# MLflow for many workers: runs in PostgreSQL, artifacts through the server's own proxy (--serve-artifacts), so a
# worker needs only the server's URL (MLFLOW_TRACKING_URI=http://host:port), never the artifact store's credentials.
# The queue test (packages/cli/src/commands/queue.test.ts) runs this shape: same flags, its own database.
#
#   pip install "mlflow==3.17.2" "psycopg[binary]==3.3.9"
#   createdb -h db.internal -U mlflow mlflow
#   MLFLOW_DB=postgresql+psycopg://mlflow@db.internal:5432/mlflow ARTIFACTS=/srv/mlflow-artifacts tools/mlflow-server.sh
set -euo pipefail
: "${MLFLOW_DB:?set MLFLOW_DB, e.g. postgresql+psycopg://mlflow@127.0.0.1:5432/mlflow}"
exec "${MLFLOW_BIN:-mlflow}" server \
  --host "${HOST:-0.0.0.0}" --port "${PORT:-5000}" --workers "${WORKERS:-4}" \
  --backend-store-uri "$MLFLOW_DB" \
  --serve-artifacts --artifacts-destination "${ARTIFACTS:-$PWD/mlflow-artifacts}"
