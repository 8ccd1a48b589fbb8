/** Rating-prediction error over all test interactions: RMSE = sqrt(mean (r̂ − r)²), MAE = mean |r̂ − r|. */
export function ratingErrors(predicted: Float32Array, actual: Float32Array): { rmse: number; mae: number; n: number } {
  let se = 0;
  let ae = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = predicted[i] - actual[i];
    se += d * d;
    ae += Math.abs(d);
  }
  const n = actual.length;
  return { rmse: Math.sqrt(se / n), mae: ae / n, n };
}
