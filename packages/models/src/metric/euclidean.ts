/**
 * Euclidean ranking as a dot product: −‖u − v‖² = −‖u‖² + 2(u·v − ‖v‖²/2), and ‖u‖² is the same for every
 * item of one user, so items [v, −‖v‖²/2] and users [u, 1] rank exactly as nearest-first by distance. Any
 * dot-product index (exact or HNSW) then serves a metric model unchanged.
 */
export function euclideanItems(v: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * (d + 1));
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let f = 0; f < d; f++) {
      const x = v[i * d + f];
      out[i * (d + 1) + f] = x;
      sq += x * x;
    }
    out[i * (d + 1) + d] = -sq / 2;
  }
  return out;
}

/** The user side of `euclideanItems`: [u, 1]. */
export function euclideanUser(u: ArrayLike<number>, d: number): Float32Array {
  const out = new Float32Array(d + 1);
  for (let f = 0; f < d; f++) out[f] = u[f];
  out[d] = 1;
  return out;
}

/** ‖a[ao..ao+d) − b[bo..bo+d)‖². */
export function squaredDistance(a: Float32Array, ao: number, b: Float32Array, bo: number, d: number): number {
  let s = 0;
  for (let f = 0; f < d; f++) {
    const x = a[ao + f] - b[bo + f];
    s += x * x;
  }
  return s;
}

/** Scales row r of w (width d) back onto the ball of radius `radius` when it left it. */
export function clipRow(w: Float32Array, r: number, d: number, radius: number): void {
  const o = r * d;
  let sq = 0;
  for (let f = 0; f < d; f++) sq += w[o + f] * w[o + f];
  if (sq <= radius * radius) return;
  const k = radius / Math.sqrt(sq);
  for (let f = 0; f < d; f++) w[o + f] *= k;
}
