// Orbit diagram: the kept states of the scaled map against r, computed by the server's SIMD kernel
// at one r value per pixel column and binned to the canvas's pixel rows. A box drawn with the mouse
// is recomputed at full resolution (not stretched); the flip points of the period-doubling cascade
// are marked; hovering shows r, the period of the kept states and the largest Lyapunov exponent.
import { getJson } from "../api";
import { el, fmt, numberField, selectField, showError, showStatus } from "../dom";
import { ticks } from "../plane";
import { afterFrame, timings } from "../timings";

interface Raster {
  r: number[];
  quantity: string;
  v_min: number;
  v_max: number;
  rows: number;
  columns: number[][];
  period: (number | null)[];
  diverged_at_step: (number | null)[];
  transient: number;
  keep: number;
  seconds: number;
}

interface Cascade {
  flips: { from: number; to: number; r: number }[];
  accumulation: number | null;
}

interface Classification {
  label: string;
  period: number | null;
  exponents: number[];
}

interface Span {
  rMin: number;
  rMax: number;
  vMin: number | null;
  vMax: number | null;
}

const margin = { left: 56, right: 12, top: 12, bottom: 36 };

export function orbitView(): HTMLElement {
  const rMin = numberField("r min", "orbit-r-min", 0.5);
  const rMax = numberField("r max", "orbit-r-max", 2);
  const transient = numberField("transient steps", "orbit-transient", 2000, { min: 0, step: 1 });
  const keep = numberField("kept steps", "orbit-keep", 200, { min: 1, step: 1 });
  const points = numberField("r values (0: one per pixel)", "orbit-points", 0, { min: 0, step: 1 });
  const x0 = numberField("x₀ = ηλ₀", "orbit-x0", 1);
  const g0 = numberField("g₀ = ηf₀/s", "orbit-g0", 0.2);
  const quantity = selectField("vertical axis", "orbit-quantity", ["x", "lr_sharpness", "g"], "x");
  const compute = el("button", { type: "button", id: "orbit-compute" }, "Compute");
  const back = el("button", { type: "button", id: "orbit-back" }, "Back");
  const reset = el("button", { type: "button", id: "orbit-reset" }, "Reset");
  const canvas = el("canvas", { class: "orbit", id: "orbit-canvas" });
  const hover = el("div", { class: "hover", id: "orbit-hover" }, "Drag a box to zoom; hover for r, period and Lyapunov exponent.");
  const status = el("div", { class: "status", id: "orbit-status" });

  let raster: Raster | null = null;
  let cascade: Cascade | null = null;
  let current: Span = { rMin: 0.5, rMax: 2, vMin: null, vMax: null };
  const history: Span[] = [];
  let requestId = 0;
  // A new window cancels the computation of the previous one (the server stops when the request is aborted).
  let inFlight: AbortController | null = null;

  const labels: Record<string, string> = { x: "x = ηλ (NTK)", lr_sharpness: "ηλ_H (Hessian sharpness)", g: "g = ηf/s" };

  function plotSize(): { w: number; h: number } {
    return { w: canvas.clientWidth || 900, h: canvas.clientHeight || 520 };
  }

  async function load(span: Span, startedAt: number): Promise<void> {
    const id = ++requestId;
    const { w, h } = plotSize();
    const columns = points.value() > 0 ? Math.round(points.value()) : Math.max(2, Math.round(w - margin.left - margin.right));
    const rows = Math.max(2, Math.round(h - margin.top - margin.bottom));
    showStatus(status, `computing ${columns} r values × ${keep.value()} kept steps …`);
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    try {
      const answer = await getJson<Raster>("/api/uv/orbit", {
        r_min: span.rMin,
        r_max: span.rMax,
        points: columns,
        transient: transient.value(),
        keep: keep.value(),
        x0: x0.value(),
        g0: g0.value(),
        quantity: quantity.select.value,
        rows,
        v_min: span.vMin,
        v_max: span.vMax,
      }, controller.signal);
      if (id !== requestId) return;
      raster = answer;
      current = { rMin: span.rMin, rMax: span.rMax, vMin: answer.v_min, vMax: answer.v_max };
      draw();
      await afterFrame();
      const total = performance.now() - startedAt;
      timings.orbit.push(total);
      timings.orbitServer.push(answer.seconds * 1000);
      showStatus(status, `${answer.r.length} r values × ${answer.keep} kept steps (after ${answer.transient}): computed in ${fmt(answer.seconds * 1000, 3)} ms on the server, ${fmt(total, 3)} ms to the screen`);
    } catch (e) {
      if (id === requestId) showError(status, e);
    }
  }

  function toX(r: number): number {
    const { w } = plotSize();
    return margin.left + ((r - current.rMin) / (current.rMax - current.rMin || 1)) * (w - margin.left - margin.right);
  }

  function fromX(px: number): number {
    const { w } = plotSize();
    return current.rMin + ((px - margin.left) / (w - margin.left - margin.right)) * (current.rMax - current.rMin);
  }

  function fromY(py: number): number {
    const { h } = plotSize();
    const lo = current.vMin ?? 0, hi = current.vMax ?? 1;
    return lo + ((h - margin.bottom - py) / (h - margin.top - margin.bottom)) * (hi - lo);
  }

  function draw(selection?: { x0: number; y0: number; x1: number; y1: number }): void {
    const { w, h } = plotSize();
    const ratio = devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const ctx = canvas.getContext("2d")!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const plotW = w - margin.left - margin.right;
    const plotH = h - margin.top - margin.bottom;
    if (raster) {
      // One image pixel per (r value, row); darker where more kept states fall.
      const image = new ImageData(raster.r.length, raster.rows);
      const pixels = image.data;
      let peak = 1;
      for (const column of raster.columns) for (let k = 1; k < column.length; k += 2) peak = Math.max(peak, column[k]);
      const logPeak = Math.log1p(peak);
      raster.columns.forEach((column, i) => {
        for (let k = 0; k < column.length; k += 2) {
          const row = raster!.rows - 1 - column[k];
          const shade = 0.35 + 0.65 * (Math.log1p(column[k + 1]) / logPeak);
          const offset = (row * raster!.r.length + i) * 4;
          pixels[offset] = 20;
          pixels[offset + 1] = 40;
          pixels[offset + 2] = 110;
          pixels[offset + 3] = Math.round(255 * shade);
        }
      });
      const bitmap = document.createElement("canvas");
      bitmap.width = image.width;
      bitmap.height = image.height;
      bitmap.getContext("2d")!.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(bitmap, margin.left * ratio, margin.top * ratio, plotW * ratio, plotH * ratio);
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    // Flip points of the cascade (manifold map), where the period doubles.
    if (cascade) {
      ctx.font = "11px sans-serif";
      let lastLabel = -Infinity;
      let level = 0;
      for (const flip of cascade.flips) {
        if (flip.r < current.rMin || flip.r > current.rMax) continue;
        const x = toX(flip.r);
        // Labels of flips closer than a label's width are stacked downwards.
        level = x - lastLabel < 34 ? level + 1 : 0;
        lastLabel = x;
        ctx.strokeStyle = "rgba(214, 39, 40, 0.7)";
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(x, margin.top);
        ctx.lineTo(x, h - margin.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "#d62728";
        ctx.fillText(`${flip.from}→${flip.to}`, x + 3, margin.top + 12 + 13 * level);
      }
    }
    ctx.strokeStyle = "#333";
    ctx.strokeRect(margin.left, margin.top, plotW, plotH);
    ctx.fillStyle = "#333";
    ctx.font = "11px sans-serif";
    for (const t of ticks(current.rMin, current.rMax, 8)) ctx.fillText(String(t), toX(t) - 10, h - margin.bottom + 14);
    const lo = current.vMin ?? 0, hi = current.vMax ?? 1;
    for (const t of ticks(lo, hi, 6)) {
      const y = h - margin.bottom - ((t - lo) / (hi - lo)) * plotH;
      ctx.textAlign = "right";
      ctx.fillText(String(t), margin.left - 4, y + 4);
      ctx.textAlign = "left";
    }
    ctx.font = "12px sans-serif";
    ctx.fillText("r = η/η_c", w / 2 - 24, h - 6);
    ctx.save();
    ctx.translate(12, h / 2 + 40);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(labels[quantity.select.value] ?? quantity.select.value, 0, 0);
    ctx.restore();
    if (selection) {
      ctx.fillStyle = "rgba(31, 119, 180, 0.15)";
      ctx.strokeStyle = "#1f77b4";
      const x = Math.min(selection.x0, selection.x1), y = Math.min(selection.y0, selection.y1);
      ctx.fillRect(x, y, Math.abs(selection.x1 - selection.x0), Math.abs(selection.y1 - selection.y0));
      ctx.strokeRect(x, y, Math.abs(selection.x1 - selection.x0), Math.abs(selection.y1 - selection.y0));
    }
  }

  // Box zoom.
  let drag: { x0: number; y0: number; x1: number; y1: number } | null = null;
  canvas.addEventListener("mousedown", (e) => {
    drag = { x0: e.offsetX, y0: e.offsetY, x1: e.offsetX, y1: e.offsetY };
  });
  canvas.addEventListener("mousemove", (e) => {
    if (drag) {
      drag.x1 = e.offsetX;
      drag.y1 = e.offsetY;
      draw(drag);
      return;
    }
    showHover(e.offsetX);
  });
  canvas.addEventListener("mouseup", () => {
    const box = drag;
    drag = null;
    if (!box || Math.abs(box.x1 - box.x0) < 4 || Math.abs(box.y1 - box.y0) < 4) {
      draw();
      return;
    }
    const startedAt = performance.now();
    const span: Span = {
      rMin: fromX(Math.min(box.x0, box.x1)),
      rMax: fromX(Math.max(box.x0, box.x1)),
      vMin: fromY(Math.max(box.y0, box.y1)),
      vMax: fromY(Math.min(box.y0, box.y1)),
    };
    history.push(current);
    rMin.input.value = fmt(span.rMin, 10);
    rMax.input.value = fmt(span.rMax, 10);
    void load(span, startedAt);
  });

  let hoverTimer = 0;
  let hoverId = 0;
  function showHover(px: number): void {
    if (!raster) return;
    const r = fromX(px);
    if (r < current.rMin || r > current.rMax) return;
    const i = Math.min(raster.r.length - 1, Math.max(0, Math.round(((r - raster.r[0]) / (raster.r[raster.r.length - 1] - raster.r[0] || 1)) * (raster.r.length - 1))));
    const period = raster.period[i];
    const diverged = raster.diverged_at_step[i];
    const base = `r = ${fmt(raster.r[i], 8)}, period ${period ?? (diverged !== null ? "– (diverged)" : "> 64 or none")}`;
    hover.textContent = base + ", largest Lyapunov exponent …";
    window.clearTimeout(hoverTimer);
    const id = ++hoverId;
    hoverTimer = window.setTimeout(async () => {
      try {
        const c = await getJson<Classification>("/api/uv/classify", { r: raster!.r[i], x0: x0.value(), g0: g0.value(), transient: 1000, steps: 4000 });
        if (id === hoverId) hover.textContent = `${base}, largest Lyapunov exponent ${fmt(c.exponents[0], 4)} (${c.label})`;
      } catch (e) {
        if (id === hoverId) hover.textContent = `${base} (${e instanceof Error ? e.message : e})`;
      }
    }, 120);
  }

  compute.addEventListener("click", () => {
    history.push(current);
    void load({ rMin: rMin.value(), rMax: rMax.value(), vMin: null, vMax: null }, performance.now());
  });
  back.addEventListener("click", () => {
    const previous = history.pop();
    if (previous) {
      rMin.input.value = fmt(previous.rMin, 10);
      rMax.input.value = fmt(previous.rMax, 10);
      void load(previous, performance.now());
    }
  });
  reset.addEventListener("click", () => {
    history.length = 0;
    rMin.input.value = "0.5";
    rMax.input.value = "2";
    void load({ rMin: 0.5, rMax: 2, vMin: null, vMax: null }, performance.now());
  });
  quantity.select.addEventListener("change", () => void load({ ...current, vMin: null, vMax: null }, performance.now()));
  new ResizeObserver(() => draw()).observe(canvas);

  void getJson<Cascade>("/api/uv/cascade", { map: "manifold", max_period: 64 }).then((c) => {
    cascade = c;
    draw();
  });
  void load(current, performance.now());

  return el(
    "section",
    { class: "view", id: "view-orbit" },
    el("div", { class: "controls" }, el("h2", {}, "Orbit diagram"), rMin.row, rMax.row, transient.row, keep.row, points.row, x0.row, g0.row, quantity.row, el("div", { class: "buttons" }, compute, back, reset), status),
    el("div", { class: "panels" }, canvas, hover, el("p", { class: "legend" }, "Each column is one r, every value started from (g₀, x₀); darker pixels hold more of the kept states. Dashed red lines: flip points of the period-doubling cascade (manifold map).")),
  );
}
