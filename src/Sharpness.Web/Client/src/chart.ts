// Line charts on uPlot: several series against one x, a log-scale toggle, horizontal reference lines
// (2/η, or 2 for ηλ_H), drag to zoom on x (the owner may then fetch full-resolution data for the new
// range) and double-click to zoom back out.
import uPlot from "uplot";

export const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];

export interface ReferenceLine {
  value: number;
  label: string;
  color?: string;
}

export interface ChartOptions {
  title?: string;
  xLabel: string;
  yLabel: string;
  height?: number;
  logY?: boolean;
  points?: boolean;
  onZoom?: (min: number | null, max: number | null) => void;
}

export class LineChart {
  readonly element: HTMLElement;
  private plot: uPlot | null = null;
  private names: string[] = [];
  private data: (number | null | undefined)[][] = [[]];
  private lines: ReferenceLine[] = [];
  private logY: boolean;
  private zoomed = false;
  private settingData = false;

  constructor(private options: ChartOptions) {
    this.element = document.createElement("div");
    this.element.className = "chart";
    this.logY = options.logY ?? false;
    new ResizeObserver(() => this.resize()).observe(this.element);
    this.element.addEventListener("dblclick", () => {
      if (this.zoomed) {
        this.zoomed = false;
        this.options.onZoom?.(null, null);
        this.rebuild();
      }
    });
  }

  get isZoomed(): boolean {
    return this.zoomed;
  }

  get seriesCount(): number {
    return this.names.length;
  }

  setLogY(log: boolean): void {
    this.logY = log;
    this.rebuild();
  }

  setReferenceLines(lines: ReferenceLine[]): void {
    this.lines = lines;
    // Not at once: a redraw right after the chart was made would cancel its first scaling.
    const plot = this.plot;
    requestAnimationFrame(() => plot?.redraw(false));
  }

  // x: the shared x values; series: name → values (null or non-finite: a gap).
  setData(x: number[], series: Record<string, (number | null)[]>, keepZoom = false): void {
    const names = Object.keys(series);
    const data: (number | null | undefined)[][] = [x, ...names.map((n) => series[n].map((v) => this.clean(v)))];
    const sameSeries = names.length === this.names.length && names.every((n, i) => n === this.names[i]);
    this.data = data;
    if (!sameSeries || !this.plot) {
      this.names = names;
      this.rebuild();
      return;
    }
    this.settingData = true;
    this.plot.setData(data as uPlot.AlignedData, !(keepZoom && this.zoomed));
    this.settingData = false;
  }

  // Missing values (a sharpness measured every k steps, a non-positive value on a log axis) are
  // undefined, which uPlot joins over (spanGaps).
  private clean(v: number | null | undefined): number | undefined {
    if (v === null || v === undefined || !Number.isFinite(v)) return undefined;
    if (this.logY && v <= 0) return undefined;
    return v;
  }

  private rebuild(): void {
    this.plot?.destroy();
    this.plot = null;
    const width = Math.max(200, this.element.clientWidth || 600);
    const chart = this;
    const opts: uPlot.Options = {
      title: this.options.title,
      width,
      height: this.options.height ?? 260,
      scales: {
        x: { time: false },
        // The y range always shows the reference lines (2/η, 2) with the data.
        y: { ...(this.logY ? { distr: 3, log: 10 } : {}), range: (_u: uPlot, min: number | null, max: number | null) => chart.yRange(min, max) },
      },
      axes: [{ label: this.options.xLabel }, { label: this.options.yLabel, size: 70 }],
      series: [
        { label: this.options.xLabel },
        ...this.names.map((name, i) => ({
          label: name,
          stroke: palette[i % palette.length],
          width: 1.5,
          spanGaps: true,
          points: { show: this.options.points ?? false, size: 4 },
        })),
      ],
      cursor: { drag: { x: true, y: false, setScale: true } },
      legend: { show: true },
      hooks: {
        draw: [(u: uPlot) => chart.drawLines(u)],
        setScale: [
          (u: uPlot, key: string) => {
            if (key !== "x" || chart.settingData || u.select.width === 0) return;
            chart.zoomed = true;
            chart.options.onZoom?.(u.scales.x.min ?? null, u.scales.x.max ?? null);
          },
        ],
      },
    };
    const data = this.data.map((column, i) => (i === 0 ? column : column.map((v) => this.clean(v))));
    this.plot = new uPlot(opts, data as uPlot.AlignedData, this.element);
    (this.element as unknown as { plot: uPlot }).plot = this.plot;
  }

  private yRange(min: number | null, max: number | null): uPlot.Range.MinMax {
    let lo = min ?? Infinity;
    let hi = max ?? -Infinity;
    for (const line of this.lines) {
      if (!Number.isFinite(line.value) || (this.logY && line.value <= 0)) continue;
      lo = Math.min(lo, line.value);
      hi = Math.max(hi, line.value);
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return this.logY ? [0.1, 10] : [0, 1];
    return this.logY ? uPlot.rangeLog(lo, hi, 10, true) : uPlot.rangeNum(lo, hi, 0.1, true);
  }

  private drawLines(u: uPlot): void {
    const ctx = u.ctx;
    for (const line of this.lines) {
      if (!Number.isFinite(line.value) || (this.logY && line.value <= 0)) continue;
      const y = u.valToPos(line.value, "y", true);
      if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
      ctx.save();
      ctx.strokeStyle = line.color ?? "#444";
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y);
      ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.fillStyle = line.color ?? "#444";
      ctx.font = `${11 * devicePixelRatio}px sans-serif`;
      const width = ctx.measureText(line.label).width;
      ctx.fillText(line.label, u.bbox.left + u.bbox.width - width - 4 * devicePixelRatio, y - 4 * devicePixelRatio);
      ctx.restore();
    }
  }

  private resize(): void {
    if (!this.plot) return;
    const width = Math.max(200, this.element.clientWidth);
    if (Math.abs(width - this.plot.width) > 2) this.plot.setSize({ width, height: this.options.height ?? 260 });
  }
}
