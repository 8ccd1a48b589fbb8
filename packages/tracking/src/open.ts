import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FileStore } from "./file-store.ts";
import { RunRecorder } from "./recorder.ts";
import { MlflowRestClient } from "./rest-client.ts";

/**
 * The store a run goes to: `uri` (config), else $MLFLOW_TRACKING_URI, else ./mlruns.
 * http(s) URIs get a local fallback store (./mlruns, or $MLE_FALLBACK_STORE) for when the server fails.
 */
export function openRecorder(uri = process.env.MLFLOW_TRACKING_URI): RunRecorder {
  if (uri && /^https?:\/\//.test(uri)) return new RunRecorder(new MlflowRestClient(uri), new FileStore(process.env.MLE_FALLBACK_STORE ?? "mlruns"));
  const path = !uri ? "mlruns" : uri.startsWith("file:") ? fileURLToPath(uri) : uri;
  return new RunRecorder(new FileStore(resolve(path)), null);
}
