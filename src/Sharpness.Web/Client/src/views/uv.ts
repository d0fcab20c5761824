// UV explorer: sliders for r, x0 = ηλ0 and g0 = ηf0/s (or a physical model: width, parameterisation,
// η), the (g, x) plane with the vector field and the trajectory, ηλ and ηλ_H against step with the
// line 2, and the run's regime, period and largest Lyapunov exponent. The trajectory is redrawn as a
// slider moves; only the newest answer is drawn.
import { ApiError, getJson } from "../api";
import { LineChart } from "../chart";
import { el, fmt, numberField, selectField, showError, showStatus } from "../dom";
import { Field, Plane, View } from "../plane";
import { afterFrame, timings } from "../timings";

interface Trajectory {
  r: number;
  x0: number;
  g0: number;
  steps: number;
  g: number[];
  x: number[];
  lr_sharpness: number[];
  period: number | null;
  lyapunov: number | null;
  labels: string[];
  ntk_labels: string[];
  outcome: string;
  diverged_at_step: number | null;
  realisable: boolean;
}

interface PhysicalStart {
  normaliser: number;
  learning_rate: number;
  output: number;
  ntk: number;
  sharpness: number;
  r: number;
  x0: number;
  g0: number;
}

function defaultView(r: number): View {
  const span = Math.max(2, 2 * Math.abs(r) + 1);
  return { gMin: -span / 2, gMax: span, xMin: 0, xMax: 4.5 };
}

// Fitted to the trajectory (and the target g = r), rounded so that small moves keep the same field.
function fittedView(t: Trajectory): View {
  const gs = t.g.filter(Number.isFinite);
  const xs = t.x.filter(Number.isFinite);
  const round = (v: number, up: boolean) => (up ? Math.ceil(v * 4) : Math.floor(v * 4)) / 4;
  const gLo = Math.min(...gs, t.r - 0.5, 0);
  const gHi = Math.max(...gs, t.r + 0.5);
  const xHi = Math.max(...xs, 4.5);
  return { gMin: round(gLo - 0.1, false), gMax: round(gHi + 0.1, true), xMin: 0, xMax: round(xHi * 1.05, true) };
}

export function uvView(): HTMLElement {
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const initial = (name: string, fallback: number) => (params.has(name) && Number.isFinite(Number(params.get(name))) ? Number(params.get(name)) : fallback);
  const r = numberField("r = η/η_c", "uv-r", initial("r", 0.5), { min: 0, max: 2.5, step: 0.001, slider: true });
  const x0 = numberField("x₀ = ηλ₀", "uv-x0", initial("x0", 1), { min: 0, max: 6, step: 0.001, slider: true });
  const g0 = numberField("g₀ = ηf₀/s", "uv-g0", initial("g0", 0.2), { min: -3, max: 3, step: 0.001, slider: true });
  const steps = numberField("steps", "uv-steps", initial("steps", 1000), { min: 0, max: 1_000_000, step: 1 });

  const width = numberField("width n", "uv-width", 100, { min: 1, step: 1 });
  const param = selectField("parameterisation", "uv-param", ["ntp", "mup", "sp", "s=0.5"], "ntp");
  const initScale = numberField("σ_w²", "uv-init-scale", 1, { min: 0 });
  const target = numberField("target y", "uv-target", 1);
  const seed = numberField("seed", "uv-seed", 0, { min: 0, step: 1 });
  const lrKind = selectField("learning rate as", "uv-lr-kind", ["c = ηλ_H(0)", "η"], "c = ηλ_H(0)");
  const lr = numberField("value", "uv-lr", 1.8, { min: 0 });
  const physicalOut = el("div", { class: "numbers" });
  const apply = el("button", { type: "button", id: "uv-physical-apply" }, "Set r, x₀, g₀ from this model");

  const plane = new Plane((g, x) => {
    g0.input.value = fmt(g, 4);
    x0.input.value = fmt(x, 4);
    if (g0.slider) g0.slider.value = g0.input.value;
    if (x0.slider) x0.slider.value = x0.input.value;
    update(performance.now());
  });
  const fit = el("input", { type: "checkbox", id: "uv-fit" });
  const series = new LineChart({ title: "Sharpness in units of the stability threshold", xLabel: "step", yLabel: "ηλ, ηλ_H", height: 260 });
  series.setReferenceLines([{ value: 2, label: "2 (λ = 2/η)" }]);
  const status = el("div", { class: "status", id: "uv-status" });
  const numbers = el("dl", { class: "numbers", id: "uv-numbers" });

  let field: Field | null = null;
  let fieldKey = "";
  let latest = 0;
  let inFlight = false;
  let queued: number | null = null;
  let trajectory: Trajectory | null = null;

  async function update(startedAt: number): Promise<void> {
    if (inFlight) {
      queued = startedAt;
      return;
    }
    inFlight = true;
    const id = ++latest;
    const rv = r.value();
    try {
      const trajectoryParams = { r: rv, x0: x0.value(), g0: g0.value(), steps: steps.value() };
      // The trajectory is drawn as soon as it arrives; the vector field of a new r (or a new plane
      // range) follows in its own request, so the field never delays the trajectory.
      const t = await getJson<Trajectory>("/api/uv/trajectory", trajectoryParams);
      const view = fit.checked ? fittedView(t) : defaultView(rv);
      plane.view = view;
      const key = JSON.stringify(view) + rv;
      if (key !== fieldKey) void updateField(key, rv, view);
      if (id === latest) {
        trajectory = t;
        draw();
        await afterFrame();
        timings.uv.push(performance.now() - startedAt);
        history.replaceState(null, "", `#uv?r=${rv}&x0=${x0.value()}&g0=${g0.value()}&steps=${steps.value()}`);
        showStatus(status, `${t.g.length} states`);
      }
    } catch (e) {
      showError(status, e);
    } finally {
      inFlight = false;
      if (queued !== null) {
        const next = queued;
        queued = null;
        void update(next);
      }
    }
  }

  let fieldRequest = 0;
  async function updateField(key: string, rv: number, view: View): Promise<void> {
    const id = ++fieldRequest;
    fieldKey = key;
    try {
      const f = await getJson<Field>("/api/uv/field", { r: rv, grid: 21, g_min: view.gMin, g_max: view.gMax, x_min: view.xMin, x_max: view.xMax });
      if (id === fieldRequest) {
        field = f;
        if (trajectory) plane.draw(field, trajectory.r, trajectory.g, trajectory.x);
      }
    } catch (e) {
      if (id === fieldRequest) fieldKey = "";
      showError(status, e);
    }
  }

  function draw(): void {
    const t = trajectory;
    if (!t) return;
    plane.draw(field, t.r, t.g, t.x);
    const stepsAxis = t.g.map((_, i) => i);
    series.setData(stepsAxis, { "ηλ (NTK)": t.x, "ηλ_H (Hessian)": t.lr_sharpness });
    const entries: [string, string][] = [
      ["regimes (λ_H)", t.labels.join(", ") || "–"],
      ["early trend (NTK λ)", t.ntk_labels.join(", ") || "–"],
      ["outcome", t.outcome + (t.diverged_at_step !== null ? ` at step ${t.diverged_at_step}` : "")],
      ["period", t.period === null ? "–" : String(t.period)],
      ["largest Lyapunov exponent", fmt(t.lyapunov)],
      ["final ηλ_H", fmt(t.lr_sharpness[t.lr_sharpness.length - 1])],
      ["realisable (x₀ ≥ 2|g₀|)", t.realisable ? "yes" : "no: no weights give this start"],
    ];
    numbers.replaceChildren(...entries.flatMap(([k, v]) => [el("dt", {}, k), el("dd", { "data-name": k }, v)]));
  }

  for (const f of [r, x0, g0]) {
    f.input.addEventListener("change-from-slider", (e) => void update((e as CustomEvent).detail.timeStamp));
    f.input.addEventListener("change", () => void update(performance.now()));
  }
  steps.input.addEventListener("change", () => void update(performance.now()));
  fit.addEventListener("change", () => void update(performance.now()));

  apply.addEventListener("click", async () => {
    try {
      const byConstant = lrKind.select.value !== "η";
      const start = await getJson<PhysicalStart>("/api/uv/physical", {
        width: width.value(),
        param: param.select.value,
        init_scale: initScale.value(),
        target: target.value(),
        seed: seed.value(),
        lr: byConstant ? null : lr.value(),
        lr_constant: byConstant ? lr.value() : null,
      });
      for (const [fieldOf, value] of [[r, start.r], [x0, start.x0], [g0, start.g0]] as const) {
        fieldOf.input.value = String(Number(value.toPrecision(8)));
        if (fieldOf.slider) fieldOf.slider.value = fieldOf.input.value;
      }
      physicalOut.textContent = `s = ${fmt(start.normaliser)}, η = ${fmt(start.learning_rate)} (2/η = ${fmt(2 / start.learning_rate)}), f₀ = ${fmt(start.output)}, λ₀ = ${fmt(start.ntk)}, λ_H(0) = ${fmt(start.sharpness)}`;
      void update(performance.now());
    } catch (e) {
      showError(physicalOut, e instanceof ApiError ? e : new Error(String(e)));
    }
  });

  const resize = new ResizeObserver(() => {
    if (trajectory) plane.draw(field, trajectory.r, trajectory.g, trajectory.x);
  });
  resize.observe(plane.canvas);
  void update(performance.now());

  return el(
    "section",
    { class: "view", id: "view-uv" },
    el(
      "div",
      { class: "controls" },
      el("h2", {}, "Scaled map"),
      r.row,
      x0.row,
      g0.row,
      steps.row,
      el("label", { class: "check" }, fit, " fit the plane to the trajectory"),
      el(
        "details",
        {},
        el("summary", {}, "Physical model (width, parameterisation, η)"),
        width.row,
        param.row,
        initScale.row,
        target.row,
        seed.row,
        lrKind.row,
        lr.row,
        apply,
        physicalOut,
      ),
      numbers,
      status,
    ),
    el(
      "div",
      { class: "panels" },
      plane.canvas,
      el("p", { class: "legend" }, "Green band: growth wedge (sharpness rises); purple: EoS manifold x = 2|g|; dashed: x = 2; dotted green: g = r (minima); red circles: fixed points and 2-cycle (filled when stable); orange: start. Click the plane to move the start."),
      series.element,
    ),
  );
}
