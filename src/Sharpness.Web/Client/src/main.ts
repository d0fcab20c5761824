// The explorer's page: four views (UV explorer, orbit diagram, runs, live training) behind tabs,
// with the view and its settings in the address (#uv?r=1.1, #runs?run=...), so a link shows the same.
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { getJson, setTokenRequired } from "./api";
import { el } from "./dom";
import { liveView } from "./views/live";
import { orbitView } from "./views/orbit";
import { runsView } from "./views/runs";
import { uvView } from "./views/uv";

const app = document.getElementById("app")!;
const views: Record<string, { label: string; make: () => HTMLElement; element?: HTMLElement }> = {
  uv: { label: "UV explorer", make: uvView },
  orbit: { label: "Orbit diagram", make: orbitView },
  runs: { label: "Runs", make: () => runsView(followRun) },
  live: { label: "Live training", make: () => live.element },
};
const live = liveView();

function followRun(run: string): void {
  location.hash = "#live";
  live.follow(run);
}

const tabs = el("nav", { class: "tabs" }, ...Object.entries(views).map(([key, view]) => el("a", { href: `#${key}`, id: `tab-${key}` }, view.label)));
const version = el("span", { class: "version" });
const main = el("main", {});
app.append(el("header", {}, el("h1", {}, "Sharpness explorer"), tabs, version), main);

function route(): void {
  const key = (location.hash.slice(1).split("?")[0] || "uv") as keyof typeof views;
  const view = views[key] ?? views.uv;
  for (const [k, v] of Object.entries(views)) {
    document.getElementById(`tab-${k}`)?.classList.toggle("active", v === view);
    if (v.element) v.element.hidden = v !== view;
  }
  if (!view.element) {
    view.element = view.make();
    main.append(view.element);
  }
  view.element.hidden = false;
}

window.addEventListener("hashchange", route);
void getJson<{ version: string; runs: string; token_required: boolean }>("/api/health").then((h) => {
  setTokenRequired(h.token_required);
  version.textContent = `sharpness ${h.version} · runs: ${h.runs}`;
  route();
});
