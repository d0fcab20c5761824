// The (g, x) plane of the scaled map at one r (docs/uv-model.md sections 5-7): the vector field of one
// GD step, the growth wedge where sharpness rises (-r x/(4 - x) < g < r for 0 < x < 4), the EoS
// manifold x = 2|g|, the stability line x = 2, the fixed points, and the trajectory.

export interface FixedPoint {
  kind: string;
  period: number;
  points: number[][];
  multipliers: number[][];
  stable: boolean;
}

export interface Field {
  r: number;
  g: number[];
  x: number[];
  dg: number[];
  dx: number[];
  fixed_points: FixedPoint[];
}

export interface View {
  gMin: number;
  gMax: number;
  xMin: number;
  xMax: number;
}

export class Plane {
  readonly canvas: HTMLCanvasElement;
  private readonly margin = { left: 48, right: 12, top: 12, bottom: 36 };
  view: View = { gMin: -1, gMax: 2, xMin: 0, xMax: 4.5 };

  constructor(private onPick: (g: number, x: number) => void) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "plane";
    this.canvas.title = "Click or drag to move the initial state (g0, x0)";
    let dragging = false;
    const pick = (e: MouseEvent) => {
      const [g, x] = this.toData(e.offsetX, e.offsetY);
      this.onPick(g, x);
    };
    this.canvas.addEventListener("mousedown", (e) => {
      dragging = true;
      pick(e);
    });
    this.canvas.addEventListener("mousemove", (e) => dragging && pick(e));
    window.addEventListener("mouseup", () => (dragging = false));
  }

  private size(): { w: number; h: number } {
    return { w: this.canvas.clientWidth || 600, h: this.canvas.clientHeight || 420 };
  }

  private toPixel(g: number, x: number): [number, number] {
    const { w, h } = this.size();
    const m = this.margin;
    const v = this.view;
    return [m.left + ((g - v.gMin) / (v.gMax - v.gMin)) * (w - m.left - m.right), h - m.bottom - ((x - v.xMin) / (v.xMax - v.xMin)) * (h - m.top - m.bottom)];
  }

  private toData(px: number, py: number): [number, number] {
    const { w, h } = this.size();
    const m = this.margin;
    const v = this.view;
    return [v.gMin + ((px - m.left) / (w - m.left - m.right)) * (v.gMax - v.gMin), v.xMin + ((h - m.bottom - py) / (h - m.top - m.bottom)) * (v.xMax - v.xMin)];
  }

  draw(field: Field | null, r: number, g: number[], x: number[]): void {
    const { w, h } = this.size();
    const ratio = devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * ratio) || this.canvas.height !== Math.round(h * ratio)) {
      this.canvas.width = Math.round(w * ratio);
      this.canvas.height = Math.round(h * ratio);
    }
    const ctx = this.canvas.getContext("2d")!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const m = this.margin;
    const v = this.view;
    ctx.save();
    ctx.beginPath();
    ctx.rect(m.left, m.top, w - m.left - m.right, h - m.top - m.bottom);
    ctx.clip();

    // Growth wedge: sharpness grows for -r x/(4 - x) < g < r, 0 < x < 4 (r > 0).
    if (r > 0) {
      ctx.fillStyle = "rgba(44, 160, 44, 0.12)";
      ctx.beginPath();
      const top = Math.min(4 - 1e-3, v.xMax);
      const steps = 120;
      for (let k = 0; k <= steps; k++) {
        const xx = (top * k) / steps;
        const [px, py] = this.toPixel(-(r * xx) / (4 - xx), xx);
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      const [rx1, ry1] = this.toPixel(r, top);
      const [rx0, ry0] = this.toPixel(r, 0);
      ctx.lineTo(rx1, ry1);
      ctx.lineTo(rx0, ry0);
      ctx.closePath();
      ctx.fill();
    }

    // Vector field: one step's displacement, scaled to the grid spacing.
    if (field) {
      const n = field.g.length;
      const cellG = (field.g[n - 1] - field.g[0]) / Math.max(1, n - 1);
      const cellX = (field.x[field.x.length - 1] - field.x[0]) / Math.max(1, field.x.length - 1);
      ctx.strokeStyle = "rgba(90, 90, 90, 0.55)";
      ctx.lineWidth = 1;
      for (let j = 0; j < field.x.length; j++) {
        for (let i = 0; i < n; i++) {
          const dg = field.dg[j * n + i];
          const dx = field.dx[j * n + i];
          if (!Number.isFinite(dg) || !Number.isFinite(dx)) continue;
          const length = Math.hypot(dg / cellG, dx / cellX);
          if (length === 0) continue;
          // Direction exactly; length grows with the step's size but stays readable (0.3 to 0.9 of a cell).
          const scale = (0.3 + 0.6 * Math.min(1, Math.log1p(length))) / length;
          const [x0, y0] = this.toPixel(field.g[i], field.x[j]);
          const [x1, y1] = this.toPixel(field.g[i] + dg * scale * cellG, field.x[j] + dx * scale * cellX);
          arrow(ctx, x0, y0, x1, y1);
        }
      }
    }

    // The EoS manifold x = 2|g| and the line x = 2.
    ctx.strokeStyle = "#9467bd";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let [px, py] = this.toPixel(v.gMin, 2 * Math.abs(v.gMin));
    ctx.moveTo(px, py);
    [px, py] = this.toPixel(0, 0);
    ctx.lineTo(px, py);
    [px, py] = this.toPixel(v.gMax, 2 * Math.abs(v.gMax));
    ctx.lineTo(px, py);
    ctx.stroke();
    ctx.setLineDash([6, 4]);
    ctx.strokeStyle = "#444";
    ctx.beginPath();
    [px, py] = this.toPixel(v.gMin, 2);
    ctx.moveTo(px, py);
    [px, py] = this.toPixel(v.gMax, 2);
    ctx.lineTo(px, py);
    ctx.stroke();
    ctx.setLineDash([2, 3]);
    ctx.strokeStyle = "#2ca02c";
    ctx.beginPath();
    [px, py] = this.toPixel(r, v.xMin);
    ctx.moveTo(px, py);
    [px, py] = this.toPixel(r, v.xMax);
    ctx.lineTo(px, py);
    ctx.stroke();
    ctx.setLineDash([]);

    // Trajectory.
    if (g.length > 0) {
      ctx.strokeStyle = "rgba(31, 119, 180, 0.8)";
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      for (let t = 0; t < g.length; t++) {
        const [tx, ty] = this.toPixel(g[t], x[t]);
        if (t === 0) ctx.moveTo(tx, ty);
        else ctx.lineTo(tx, ty);
      }
      ctx.stroke();
      ctx.fillStyle = "#1f77b4";
      const dots = Math.min(g.length, 400);
      for (let t = 0; t < dots; t++) {
        const [tx, ty] = this.toPixel(g[t], x[t]);
        ctx.fillRect(tx - 1.5, ty - 1.5, 3, 3);
      }
      const [sx, sy] = this.toPixel(g[0], x[0]);
      ctx.fillStyle = "#ff7f0e";
      ctx.beginPath();
      ctx.arc(sx, sy, 5, 0, 2 * Math.PI);
      ctx.fill();
    }

    // Fixed points: filled when stable, hollow when not.
    if (field) {
      for (const fp of field.fixed_points) {
        for (const p of fp.points) {
          const [fx, fy] = this.toPixel(p[0], p[1]);
          ctx.beginPath();
          ctx.arc(fx, fy, 5, 0, 2 * Math.PI);
          ctx.strokeStyle = "#d62728";
          ctx.lineWidth = 2;
          ctx.stroke();
          if (fp.stable) {
            ctx.fillStyle = "#d62728";
            ctx.fill();
          }
        }
      }
    }
    ctx.restore();
    this.drawAxes(ctx, w, h);
  }

  private drawAxes(ctx: CanvasRenderingContext2D, w: number, h: number): void {
    const m = this.margin;
    const v = this.view;
    ctx.strokeStyle = "#333";
    ctx.lineWidth = 1;
    ctx.strokeRect(m.left, m.top, w - m.left - m.right, h - m.top - m.bottom);
    ctx.fillStyle = "#333";
    ctx.font = "11px sans-serif";
    for (const t of ticks(v.gMin, v.gMax, 8)) {
      const [tx] = this.toPixel(t, v.xMin);
      ctx.fillText(String(t), tx - 8, h - m.bottom + 14);
    }
    for (const t of ticks(v.xMin, v.xMax, 6)) {
      const [, ty] = this.toPixel(v.gMin, t);
      ctx.textAlign = "right";
      ctx.fillText(String(t), m.left - 4, ty + 4);
      ctx.textAlign = "left";
    }
    ctx.font = "12px sans-serif";
    ctx.fillText("g = ηf/s", w / 2 - 24, h - 6);
    ctx.save();
    ctx.translate(14, h / 2 + 20);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("x = ηλ", 0, 0);
    ctx.restore();
  }
}

function arrow(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const head = Math.min(5, Math.hypot(x1 - x0, y1 - y0) * 0.4);
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.lineTo(x1 - head * Math.cos(angle - 0.4), y1 - head * Math.sin(angle - 0.4));
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - head * Math.cos(angle + 0.4), y1 - head * Math.sin(angle + 0.4));
  ctx.stroke();
}

export function ticks(min: number, max: number, count: number): number[] {
  const span = max - min;
  if (!(span > 0)) return [];
  const raw = span / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}
