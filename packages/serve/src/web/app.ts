// The page's script (bundled by esbuild when the service starts): search, neighbours per model, ratings kept in
// the page, live recommendations (the history travels in each request; nothing is stored), the item map.
interface Movie { movieId: number; title: string; year: number; genres: string[] }
interface Near extends Movie { similarity: number }
interface Rec extends Movie { score: number; because?: Near[] }
interface MapResponse { model: string; points: (Movie & { x: number; y: number })[] }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const rated = new Map<number, { movie: Movie; rating: number }>();
let models: string[] = [];
let lastRecs: Rec[] = [];
let map: MapResponse | null = null;

async function api<T>(url: string, body?: unknown): Promise<T> {
  const r = await fetch(url, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = await r.json();
  if (!r.ok) throw new Error(json.message ?? r.statusText);
  return json as T;
}

function el(tag: string, text = "", attrs: Record<string, string> = {}): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

const label = (m: Movie) => `${m.title}${m.genres.length ? ` — ${m.genres.slice(0, 3).join(", ")}` : ""}`;
const model = () => ($("model") as HTMLSelectElement).value;
const status = (text: string) => ($("status").textContent = text);

async function search(q: string): Promise<void> {
  const list = $("results");
  list.replaceChildren();
  if (q.trim().length < 2) return;
  const { movies } = await api<{ movies: Movie[] }>(`/movies?q=${encodeURIComponent(q)}&limit=12&model=${encodeURIComponent(model())}`);
  if (!movies.length) list.append(el("li", "no match", { class: "muted" }));
  for (const m of movies) {
    const li = el("li", "", { "data-movie": String(m.movieId) });
    const name = el("a", label(m), { href: "#" });
    name.addEventListener("click", (e) => (e.preventDefault(), void neighbours(m)));
    const stars = el("span", " ", { class: "stars" });
    for (const r of [1, 2, 3, 4, 5]) {
      const b = el("button", `${r}★`, { "data-rate": String(r), title: `rate ${r}` });
      b.addEventListener("click", () => rate(m, r));
      stars.append(b);
    }
    li.append(name, stars);
    list.append(li);
  }
}

async function neighbours(m: Movie): Promise<void> {
  $("of").textContent = `of ${m.title}`;
  const box = $("similar");
  box.replaceChildren();
  for (const name of models) {
    const col = el("div");
    col.append(el("strong", name));
    const ol = el("ol");
    try {
      const r = await api<{ similar: Near[] }>(`/similar/${m.movieId}?k=8&model=${encodeURIComponent(name)}`);
      for (const n of r.similar) ol.append(el("li", `${n.title} (${n.similarity.toFixed(2)})`));
    } catch (e) {
      ol.append(el("li", (e as Error).message, { class: "muted" }));
    }
    col.append(ol);
    box.append(col);
  }
}

function rate(m: Movie, rating: number): void {
  rated.set(m.movieId, { movie: m, rating });
  const list = $("rated");
  list.replaceChildren();
  for (const { movie, rating: r } of rated.values()) list.append(el("li", `${r}★ ${movie.title}`, { "data-movie": String(movie.movieId) }));
  ($("recommend") as HTMLButtonElement).disabled = false;
}

async function recommend(): Promise<void> {
  const history = [...rated.values()].map(({ movie, rating }, k) => ({ movieId: movie.movieId, rating, timestamp: k }));
  const list = $("recommendations");
  list.replaceChildren();
  try {
    const r = await api<{ model: string; search: string; history: number; belowThreshold: number[]; recommendations: Rec[] }>("/recommend", { model: model(), history, k: 10, explain: true });
    $("recs-model").textContent = `from ${r.model} (${r.history} ratings folded in, ${r.search === "candidates" ? "first-stage candidates re-ranked" : `${r.search} search`}${r.belowThreshold.length ? `; ${r.belowThreshold.length} under the model's rating threshold left out` : ""})`;
    lastRecs = r.recommendations;
    for (const m of r.recommendations) {
      const li = el("li", `${label(m)} `, { "data-movie": String(m.movieId) });
      if (m.because?.length) li.append(el("span", `— near ${m.because.map((b) => b.title).join("; ")}`, { class: "muted" }));
      list.append(li);
    }
    drawMap();
  } catch (e) {
    list.append(el("li", (e as Error).message, { class: "muted" }));
  }
}

const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf", "#bcbd22", "#8c564b", "#7f7f7f", "#d62728", "#2ca02c", "#9467bd", "#e377c2", "#aec7e8"];
const SVG = "http://www.w3.org/2000/svg";

function drawMap(): void {
  const box = $("map");
  box.replaceChildren();
  if (!map || !map.points.length) return void ($("map-note").textContent = "(no map for this model's item space)");
  const [W, H, pad] = [900, 420, 10];
  const xs = map.points.map((p) => p.x);
  const ys = map.points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  const sy = (y: number) => pad + ((y - y0) / (y1 - y0 || 1)) * (H - 2 * pad);
  const genres = [...new Set(map.points.map((p) => p.genres[0] ?? "(none)"))].sort();
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  for (const p of map.points) {
    const c = document.createElementNS(SVG, "circle");
    c.setAttribute("cx", sx(p.x).toFixed(1));
    c.setAttribute("cy", sy(p.y).toFixed(1));
    c.setAttribute("r", "2.2");
    c.setAttribute("fill", PALETTE[genres.indexOf(p.genres[0] ?? "(none)") % PALETTE.length]);
    c.setAttribute("fill-opacity", "0.7");
    const t = document.createElementNS(SVG, "title");
    t.textContent = `${p.title} — ${p.genres.join(", ")}`;
    c.append(t);
    svg.append(c);
  }
  // The user: placed at the mean position of their recommendations on the map (UMAP draws items, not users).
  const at = lastRecs.map((r) => map!.points.find((p) => p.movieId === r.movieId)).filter((p) => p !== undefined);
  if (at.length) {
    const [ux, uy] = [at.reduce((a, p) => a + sx(p.x), 0) / at.length, at.reduce((a, p) => a + sy(p.y), 0) / at.length];
    const u = document.createElementNS(SVG, "circle");
    for (const [k, v] of Object.entries({ cx: ux.toFixed(1), cy: uy.toFixed(1), r: "8", fill: "none", stroke: "#000", "stroke-width": "2.5", id: "you" })) u.setAttribute(k, v);
    const t = document.createElementNS(SVG, "title");
    t.textContent = "you: the centre of your recommendations";
    u.append(t);
    svg.append(u);
  }
  box.append(svg);
  const legend = el("p", "", { class: "muted" });
  genres.slice(0, 20).forEach((g, k) => {
    const s = el("span", `● ${g}  `);
    s.style.color = PALETTE[k % PALETTE.length];
    legend.append(s);
  });
  box.append(legend);
  $("map-note").textContent = `(${map.points.length.toLocaleString()} movies of ${map.model}, UMAP of the item vectors; colour: first genre; ${at.length ? "ring: you" : "rate and recommend to place yourself"})`;
}

async function loadMap(): Promise<void> {
  map = null;
  $("map-note").textContent = "(computing…)";
  map = await api<MapResponse>(`/map?model=${encodeURIComponent(model())}`);
  drawMap();
}

async function start(): Promise<void> {
  const health = await api<{ models: { name: string; model: string; items: number }[] }>("/health");
  models = health.models.map((m) => m.name);
  const select = $("model") as HTMLSelectElement;
  for (const m of health.models) select.append(el("option", `${m.name} — ${m.model}, ${m.items.toLocaleString()} movies`, { value: m.name }));
  select.addEventListener("change", () => void loadMap());
  let pending = 0;
  $("q").addEventListener("input", () => {
    const mine = ++pending;
    setTimeout(() => mine === pending && void search(($("q") as HTMLInputElement).value), 150);
  });
  $("recommend").addEventListener("click", () => void recommend());
  $("clear").addEventListener("click", () => (rated.clear(), $("rated").replaceChildren(), ($("recommend") as HTMLButtonElement).disabled = true));
  status(`${models.length} model${models.length === 1 ? "" : "s"} served`);
  await loadMap();
}

start().catch((e) => status(`error: ${(e as Error).message}`));
