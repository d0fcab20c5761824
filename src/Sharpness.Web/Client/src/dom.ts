// Small helpers to build the page without a framework.

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") element.className = value;
    else element.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

export function fmt(value: number | null | undefined, digits = 6): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value !== 0 && (Math.abs(value) >= 1e6 || Math.abs(value) < 1e-4)) return value.toExponential(Math.max(0, digits - 1));
  return Number(value.toPrecision(digits)).toString();
}

export interface NumberField {
  row: HTMLElement;
  input: HTMLInputElement;
  value(): number;
}

// A labelled number input, optionally with a range slider bound to it.
export function numberField(label: string, id: string, value: number, options: { min?: number; max?: number; step?: number; slider?: boolean } = {}): NumberField & { slider?: HTMLInputElement } {
  const input = el("input", { type: "number", id, value: String(value), step: String(options.step ?? "any") });
  if (options.min !== undefined) input.min = String(options.min);
  if (options.max !== undefined) input.max = String(options.max);
  const row = el("label", { class: "field", for: id }, el("span", {}, label));
  let slider: HTMLInputElement | undefined;
  if (options.slider) {
    slider = el("input", { type: "range", id: id + "-slider", min: String(options.min ?? 0), max: String(options.max ?? 1), step: String(options.step ?? 0.001), value: String(value) });
    const s = slider;
    s.addEventListener("input", () => {
      input.value = s.value;
      input.dispatchEvent(new CustomEvent("change-from-slider", { detail: { timeStamp: performance.now() } }));
    });
    input.addEventListener("input", () => {
      s.value = input.value;
    });
    row.append(slider);
  }
  row.append(input);
  return { row, input, slider, value: () => Number(input.value) };
}

export function selectField(label: string, id: string, choices: string[], value: string): { row: HTMLElement; select: HTMLSelectElement } {
  const select = el("select", { id }, ...choices.map((c) => el("option", { value: c }, c)));
  select.value = value;
  return { row: el("label", { class: "field", for: id }, el("span", {}, label), select), select };
}

export function showError(target: HTMLElement, error: unknown): void {
  target.textContent = error instanceof Error ? error.message : String(error);
  target.classList.add("error");
}

export function showStatus(target: HTMLElement, text: string): void {
  target.textContent = text;
  target.classList.remove("error");
}

// Durations of the .NET TimeSpan form "hh:mm:ss.fffffff" (or "d.hh:mm:ss") as seconds.
export function seconds(span: string | null | undefined): number | null {
  if (!span) return null;
  const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(span);
  if (!match) return null;
  return Number(match[1] ?? 0) * 86400 + Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
}

export function duration(total: number | null): string {
  if (total === null) return "–";
  const s = Math.round(total);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${r} s` : `${r} s`;
}
