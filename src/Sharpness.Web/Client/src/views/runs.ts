// Runs: every run under the server's --runs folder in a filterable table; a run's manifest, figures
// and curves (zoom fetches the full resolution of the zoomed range, log axes, the 2/η line); several
// runs overlaid; a sweep's results table and a reproduction's claims, sortable and filterable.
import { getJson, urlWithToken } from "../api";
import { LineChart, ReferenceLine } from "../chart";
import { clear, el, fmt, showError, showStatus } from "../dom";

export interface RunEntry {
  path: string;
  parent: string | null;
  kind: string;
  command: string | null;
  status: string;
  started_utc: string | null;
  finished_utc: string | null;
  modified_utc: string;
  seed: number | null;
  files: string[];
  data_files: string[];
  configuration: Record<string, unknown>;
  results: Record<string, unknown>;
}

interface Listing {
  root: string;
  runs: RunEntry[];
  truncated: boolean;
}

interface Series {
  x: string;
  rows_total: number;
  rows_in_range: number;
  downsampled: boolean;
  all_columns: string[];
  columns: Record<string, (number | null)[]>;
}

interface Table {
  columns: string[];
  rows: string[][];
  truncated: boolean;
}

interface Claim {
  id: string;
  claim: string;
  measured: unknown;
  criterion: string;
  status: string;
  source: string;
}

// The columns a researcher looks at first, per data file; others can be ticked.
const preferred: Record<string, string[]> = {
  "metrics.csv": ["sharpness"],
  "trajectory.csv": ["lr_sharpness", "lr_ntk"],
  "orbit.csv": [],
};

export function runsView(onFollow: (run: string) => void): HTMLElement {
  const filter = el("input", { type: "search", id: "runs-filter", placeholder: "filter: path, command, setting or result" });
  const kind = el("select", { id: "runs-kind" }, ...["all kinds", "uv", "net", "eos", "early-phase", "predict", "fit-uv", "reproduce", "sweep", "unknown"].map((k) => el("option", { value: k }, k)));
  const statusFilter = el("select", { id: "runs-status" }, ...["any status", "complete", "running", "incomplete"].map((k) => el("option", { value: k }, k)));
  const refresh = el("button", { type: "button", id: "runs-refresh" }, "Refresh");
  const overlay = el("button", { type: "button", id: "runs-overlay" }, "Overlay ticked runs");
  const tableBody = el("tbody", {});
  const table = el("table", { class: "runs", id: "runs-table" }, el("thead", {}, el("tr", {}, ...["", "run", "kind", "command", "status", "started (UTC)", "summary"].map((h) => el("th", {}, h)))), tableBody);
  const info = el("div", { class: "status", id: "runs-status-line" });
  const detail = el("div", { class: "detail", id: "run-detail" });
  const ticked = new Set<string>();
  let listing: Listing | null = null;

  async function load(): Promise<void> {
    try {
      listing = await getJson<Listing>("/api/runs");
      render();
      showStatus(info, `${listing.runs.length} runs under ${listing.root}${listing.truncated ? " (listing truncated)" : ""}`);
    } catch (e) {
      showError(info, e);
    }
  }

  function summary(run: RunEntry): string {
    const r = run.results;
    const pick = (keys: string[]) => keys.filter((k) => r[k] !== undefined && r[k] !== null).map((k) => `${k} ${typeof r[k] === "number" ? fmt(r[k] as number, 4) : String(r[k])}`);
    return pick(["labels", "outcome", "stop_reason", "final_sharpness", "final_loss", "learning_rate", "reproduced"]).slice(0, 4).join("; ");
  }

  function render(): void {
    if (!listing) return;
    const text = filter.value.trim().toLowerCase();
    const rows = listing.runs.filter((run) => {
      if (kind.value !== "all kinds" && run.kind !== kind.value) return false;
      if (statusFilter.value !== "any status" && run.status !== statusFilter.value) return false;
      if (!text) return true;
      const haystack = [run.path, run.command ?? "", ...Object.entries(run.configuration).map(([k, v]) => `${k}=${v}`), ...Object.entries(run.results).map(([k, v]) => `${k}=${v}`)].join(" ").toLowerCase();
      return text.split(/\s+/).every((word) => haystack.includes(word));
    });
    tableBody.replaceChildren(
      ...rows.map((run) => {
        const box = el("input", { type: "checkbox", "aria-label": `tick ${run.path}` });
        box.checked = ticked.has(run.path);
        box.addEventListener("change", () => (box.checked ? ticked.add(run.path) : ticked.delete(run.path)));
        const link = el("a", { href: `#runs?run=${encodeURIComponent(run.path)}`, class: "run-link" }, run.path || "(runs folder)");
        link.addEventListener("click", (e) => {
          e.preventDefault();
          history.replaceState(null, "", `#runs?run=${encodeURIComponent(run.path)}`);
          void show(run);
        });
        const depth = run.parent === null ? 0 : run.path.split("/").length - run.parent.split("/").length;
        return el(
          "tr",
          { "data-run": run.path, class: `status-${run.status}` },
          el("td", {}, box),
          el("td", { style: `padding-left: ${0.4 + depth}em` }, link),
          el("td", {}, run.kind),
          el("td", {}, run.command ?? "–"),
          el("td", {}, run.status),
          el("td", {}, run.started_utc?.replace("T", " ").slice(0, 19) ?? "–"),
          el("td", { class: "summary" }, summary(run)),
        );
      }),
    );
  }

  async function show(run: RunEntry): Promise<void> {
    clear(detail);
    const header = el("div", { class: "run-header" }, el("h2", {}, run.path || "(runs folder)"), el("span", { class: `badge status-${run.status}` }, run.status), el("span", { class: "badge" }, run.command ?? run.kind));
    detail.append(header);
    if (run.status === "running") {
      const follow = el("button", { type: "button", class: "follow" }, "Follow live");
      follow.addEventListener("click", () => onFollow(run.path));
      header.append(follow);
    }
    const manifest = await getJson<{ manifest: unknown }>("/api/runs/run", { run: run.path }).catch(() => null);
    if (manifest?.manifest) {
      detail.append(el("details", { class: "manifest" }, el("summary", {}, "manifest.json"), el("pre", {}, JSON.stringify(manifest.manifest, null, 2))));
    }
    const files = el("ul", { class: "files" }, ...run.files.map((f) => el("li", {}, el("a", { href: urlWithToken("/api/runs/file", { run: run.path, file: f }), target: "_blank", rel: "noopener" }, f))));
    detail.append(el("details", {}, el("summary", {}, `${run.files.length} files`), files));
    const figures = run.files.filter((f) => f.endsWith(".png")).slice(0, 6);
    if (figures.length > 0) {
      detail.append(el("div", { class: "figures" }, ...figures.map((f) => el("img", { src: urlWithToken("/api/runs/file", { run: run.path, file: f }), alt: f, title: f, loading: "lazy" }))));
    }
    if (run.files.includes("claims.json")) {
      detail.append(await claimsTable(run));
    }
    for (const csv of run.data_files) {
      if (["results.csv", "eos.csv", "critical.csv", "cascade.csv", "summary.csv"].includes(csv)) detail.append(await tableOf(run, csv));
    }
    const plottable = run.data_files.filter((f) => !["results.csv", "claims.csv"].includes(f));
    if (plottable.length > 0) detail.append(curves(run, plottable));
  }

  async function tableOf(run: RunEntry, file: string): Promise<HTMLElement> {
    const box = el("div", { class: "table-box" }, el("h3", {}, file));
    try {
      const t = await getJson<Table>("/api/runs/table", { run: run.path, file, limit: 10000 });
      box.append(sortableTable(t.columns, t.rows, `table-${file}`));
      if (t.truncated) box.append(el("p", { class: "note" }, "First 10,000 rows."));
    } catch (e) {
      box.append(el("p", { class: "error" }, String(e instanceof Error ? e.message : e)));
    }
    return box;
  }

  async function claimsTable(run: RunEntry): Promise<HTMLElement> {
    const box = el("div", { class: "table-box" }, el("h3", {}, "Claims"));
    try {
      const response = await fetch(urlWithToken("/api/runs/file", { run: run.path, file: "claims.json" }));
      const document = (await response.json()) as { claims?: Claim[] };
      const claims = document.claims ?? [];
      const rows = claims.map((c) => [c.id, c.claim, typeof c.measured === "number" ? fmt(c.measured) : String(c.measured ?? "–"), c.criterion, c.status, c.source]);
      const table = sortableTable(["id", "claim", "measured", "criterion", "status", "evidence (run)"], rows, "claims-table");
      // The evidence column opens the run the claim was measured from.
      table.querySelectorAll("tbody tr").forEach((tr) => {
        const cell = tr.lastElementChild as HTMLElement;
        const source = cell.textContent ?? "";
        const target = listing?.runs.find((r) => source.startsWith(r.path) || (run.path && r.path === `${run.path}/${source.split("/")[0]}`));
        if (target) {
          const link = el("a", { href: "#" }, source);
          link.addEventListener("click", (e) => {
            e.preventDefault();
            void show(target);
          });
          cell.replaceChildren(link);
        }
        const status = tr.children[4] as HTMLElement;
        status.className = status.textContent === "reproduced" ? "ok" : status.textContent?.startsWith("not reproduced") ? "bad" : "undecided";
      });
      box.append(table);
    } catch (e) {
      box.append(el("p", { class: "error" }, String(e instanceof Error ? e.message : e)));
    }
    return box;
  }

  function curves(run: RunEntry, files: string[]): HTMLElement {
    const fileSelect = el("select", { class: "data-file" }, ...files.map((f) => el("option", { value: f }, f)));
    const columnsBox = el("div", { class: "columns" });
    const xSelect = el("select", { class: "x-column" });
    const logY = el("input", { type: "checkbox", class: "log-y" });
    const threshold = el("input", { type: "checkbox", class: "threshold" });
    threshold.checked = true;
    const note = el("div", { class: "status data-status" });
    let zoom: [number | null, number | null] = [null, null];
    const chart = new LineChart({ xLabel: "step", yLabel: "", height: 320, onZoom: (min, max) => {
      zoom = [min, max];
      void fetchData(true);
    } });
    let allColumns: string[] = [];

    const lr = Number(run.configuration["lr"] ?? run.results["learning_rate"]);
    function referenceLines(names: string[]): ReferenceLine[] {
      if (!threshold.checked) return [];
      const lines: ReferenceLine[] = [];
      if (names.some((n) => n.startsWith("lr_"))) lines.push({ value: 2, label: "2" });
      if (Number.isFinite(lr) && lr > 0 && names.some((n) => ["sharpness", "ntk", "threshold"].includes(n))) lines.push({ value: 2 / lr, label: `2/η = ${fmt(2 / lr, 4)}` });
      return lines;
    }

    async function fetchData(keepZoom: boolean): Promise<void> {
      const ticked = [...columnsBox.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value);
      try {
        const s = await getJson<Series>("/api/runs/data", { run: run.path, file: fileSelect.value, x: xSelect.value || null, columns: ticked.join(","), max_points: 4000, x_min: zoom[0], x_max: zoom[1] });
        if (allColumns.join() !== s.all_columns.join()) {
          allColumns = s.all_columns;
          buildColumnChoices(s);
          return fetchData(false);
        }
        const series: Record<string, (number | null)[]> = {};
        for (const name of ticked) series[name] = s.columns[name];
        chart.setData(s.columns[s.x] as number[], series, keepZoom);
        chart.setReferenceLines(referenceLines(ticked));
        showStatus(note, `${s.rows_in_range} of ${s.rows_total} rows${s.downsampled ? ", thinned for drawing (zoom in for every row)" : ", every row"}`);
      } catch (e) {
        showError(note, e);
      }
    }

    function buildColumnChoices(s: Series): void {
      const x = s.all_columns.includes("step") ? "step" : s.all_columns.includes("r") ? "r" : s.all_columns[0];
      xSelect.replaceChildren(...s.all_columns.map((c) => el("option", { value: c }, c)));
      xSelect.value = x;
      const wanted = preferred[fileSelect.value] ?? [];
      const defaults = wanted.filter((c) => s.all_columns.includes(c));
      const chosen = defaults.length > 0 ? defaults : s.all_columns.filter((c) => c !== x).slice(0, 1);
      columnsBox.replaceChildren(
        ...s.all_columns.filter((c) => c !== x).map((c) => {
          const box = el("input", { type: "checkbox", value: c });
          box.checked = chosen.includes(c);
          box.addEventListener("change", () => void fetchData(chart.isZoomed));
          return el("label", { class: "check" }, box, c);
        }),
      );
    }

    fileSelect.addEventListener("change", () => {
      allColumns = [];
      zoom = [null, null];
      void fetchData(false);
    });
    xSelect.addEventListener("change", () => {
      zoom = [null, null];
      void fetchData(false);
    });
    logY.addEventListener("change", () => {
      chart.setLogY(logY.checked);
      void fetchData(false);
    });
    threshold.addEventListener("change", () => void fetchData(chart.isZoomed));
    void fetchData(false);
    return el(
      "div",
      { class: "curves" },
      el("h3", {}, "Curves"),
      el("div", { class: "row" }, el("label", {}, "file ", fileSelect), el("label", {}, "x ", xSelect), el("label", { class: "check" }, logY, "log y"), el("label", { class: "check" }, threshold, "2/η line")),
      columnsBox,
      chart.element,
      note,
      el("p", { class: "legend" }, "Drag to zoom (the zoomed range is fetched at full resolution); double-click to zoom out."),
    );
  }

  async function showOverlay(): Promise<void> {
    clear(detail);
    const runs = listing?.runs.filter((r) => ticked.has(r.path) && r.data_files.length > 0) ?? [];
    if (runs.length < 1) {
      detail.append(el("p", { class: "error" }, "Tick one or more runs with data first."));
      return;
    }
    const files = runs.map((r) => r.data_files.find((f) => f === "metrics.csv" || f === "trajectory.csv") ?? r.data_files[0]);
    const column = el("input", { type: "text", id: "overlay-column", value: files.every((f) => f === "trajectory.csv") ? "lr_sharpness" : "sharpness" });
    const logY = el("input", { type: "checkbox" });
    const note = el("div", { class: "status" });
    const chart = new LineChart({ title: "Overlay", xLabel: "step", yLabel: "", height: 360 });
    async function draw(): Promise<void> {
      try {
        const answers = await Promise.all(runs.map((r, i) => getJson<Series>("/api/runs/data", { run: r.path, file: files[i], columns: column.value, max_points: 3000 })));
        // One x axis for all: the union of steps, each run's values where it has them.
        const xs = [...new Set(answers.flatMap((a) => a.columns[a.x] as number[]))].sort((a, b) => a - b);
        const index = new Map(xs.map((x, i) => [x, i]));
        const series: Record<string, (number | null)[]> = {};
        answers.forEach((a, k) => {
          const values: (number | null)[] = new Array(xs.length).fill(null);
          (a.columns[a.x] as number[]).forEach((x, i) => (values[index.get(x)!] = a.columns[column.value][i]));
          series[runs[k].path] = values;
        });
        chart.setData(xs, series);
        showStatus(note, `${runs.length} runs, column ${column.value}`);
      } catch (e) {
        showError(note, e);
      }
    }
    column.addEventListener("change", () => void draw());
    logY.addEventListener("change", () => {
      chart.setLogY(logY.checked);
      void draw();
    });
    detail.append(el("h2", {}, `Overlay of ${runs.length} runs`), el("div", { class: "row" }, el("label", {}, "column ", column), el("label", { class: "check" }, logY, "log y")), chart.element, note);
    await draw();
  }

  filter.addEventListener("input", render);
  kind.addEventListener("change", render);
  statusFilter.addEventListener("change", render);
  refresh.addEventListener("click", () => void load());
  overlay.addEventListener("click", () => void showOverlay());
  void load().then(() => {
    const wanted = new URLSearchParams(location.hash.split("?")[1] ?? "").get("run");
    const run = listing?.runs.find((r) => r.path === wanted);
    if (run) void show(run);
  });

  return el(
    "section",
    { class: "view", id: "view-runs" },
    el("div", { class: "runs-list" }, el("div", { class: "row" }, filter, kind, statusFilter, refresh, overlay), info, el("div", { class: "scroll" }, table)),
    detail,
  );
}

// A table whose headers sort it (click again to reverse) and which a text box filters.
export function sortableTable(columns: string[], rows: string[][], id: string): HTMLElement {
  const filter = el("input", { type: "search", placeholder: "filter rows", class: "table-filter" });
  const body = el("tbody", {});
  let sortColumn = -1;
  let descending = false;
  const numeric = (v: string) => (v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : null);
  function render(): void {
    const text = filter.value.trim().toLowerCase();
    let shown = rows.filter((r) => !text || r.join(" ").toLowerCase().includes(text));
    if (sortColumn >= 0) {
      shown = [...shown].sort((a, b) => {
        const x = numeric(a[sortColumn] ?? ""), y = numeric(b[sortColumn] ?? "");
        const order = x !== null && y !== null ? x - y : (a[sortColumn] ?? "").localeCompare(b[sortColumn] ?? "");
        return descending ? -order : order;
      });
    }
    body.replaceChildren(...shown.map((r) => el("tr", {}, ...r.map((cell) => el("td", {}, cell)))));
  }
  const headers = columns.map((c, i) => {
    const th = el("th", { class: "sortable" }, c);
    th.addEventListener("click", () => {
      descending = sortColumn === i ? !descending : false;
      sortColumn = i;
      headers.forEach((h, k) => (h.dataset.sort = k === i ? (descending ? "desc" : "asc") : ""));
      render();
    });
    return th;
  });
  filter.addEventListener("input", render);
  render();
  return el("div", { class: "sortable-box" }, filter, el("div", { class: "scroll" }, el("table", { class: "data", id }, el("thead", {}, el("tr", {}, ...headers)), body)));
}
