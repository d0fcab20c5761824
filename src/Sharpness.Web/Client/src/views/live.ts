// Live training: a form for `net train` (or the `net eos` preset over several learning rates), the
// queue of jobs (one runs at a time), and the selected job's curves growing as steps are measured,
// with a progress bar and cancel. The same curves follow a run another process is writing.
import { ApiError, events, ExperimentProgress, getJson, postJson } from "../api";
import { LineChart } from "../chart";
import { duration, el, fmt, numberField, selectField, seconds, showError, showStatus } from "../dom";

interface JobSummary {
  id: number;
  kind: string;
  run: string;
  state: string;
  error: string | null;
  outcome: string | null;
  progress: ExperimentProgress | null;
}

interface Curves {
  steps: number[];
  loss: (number | null)[];
  sharpness: (number | null)[];
  lrSharpness: (number | null)[];
  threshold: number;
}

export function liveView(): { element: HTMLElement; follow: (run: string) => void } {
  const kind = selectField("experiment", "live-kind", ["train", "eos"], "train");
  const dataset = selectField("dataset", "live-dataset", ["fashion-mnist", "synthetic"], "fashion-mnist");
  const trainSize = numberField("training examples", "live-train-size", 5000, { min: 1, step: 1 });
  const testSize = numberField("test examples", "live-test-size", 1000, { min: 0, step: 1 });
  const model = selectField("model", "live-model", ["fc", "cnn"], "fc");
  const depth = numberField("depth (layers)", "live-depth", 3, { min: 1, step: 1 });
  const width = numberField("width", "live-width", 200, { min: 1, step: 1 });
  const activation = selectField("activation", "live-activation", ["tanh", "relu", "elu", "linear"], "tanh");
  const param = selectField("parameterisation", "live-param", ["sp", "ntp", "mup"], "sp");
  const loss = selectField("loss", "live-loss", ["mse-sum", "mse-mean", "ce"], "mse-sum");
  const optimizer = selectField("optimizer", "live-optimizer", ["gd", "sgd"], "gd");
  const lrKind = selectField("learning rate", "live-lr-kind", ["η", "c = ηλ_H(0)"], "η");
  const lr = el("input", { type: "text", id: "live-lr", value: "0.01", title: "η, c, or for eos a comma-separated list such as 2/30, 2/60" });
  const steps = numberField("steps", "live-steps", 1000, { min: 0, step: 1 });
  const every = numberField("sharpness every k steps", "live-every", 10, { min: 0, step: 1 });
  const goal = numberField("stop at train accuracy (0: never)", "live-goal", 0, { min: 0, max: 1 });
  const seed = numberField("seed", "live-seed", 0, { min: 0, step: 1 });
  const name = el("input", { type: "text", id: "live-name", placeholder: "run folder name (optional)" });
  const start = el("button", { type: "button", id: "live-start", class: "primary" }, "Start");
  const quick = el("button", { type: "button", id: "live-preset-quick" }, "Quick (synthetic)");
  const eos = el("button", { type: "button", id: "live-preset-eos" }, "EoS preset (Cohen et al.)");
  const formStatus = el("div", { class: "status", id: "live-form-status" });
  const jobsList = el("ul", { class: "jobs", id: "live-jobs" });
  const title = el("h2", { id: "live-title" }, "No run selected");
  const bar = el("progress", { id: "live-progress", max: "1", value: "0" });
  const progressText = el("div", { class: "status", id: "live-progress-text" });
  const cancel = el("button", { type: "button", id: "live-cancel", disabled: "" }, "Cancel");
  const lossChart = new LineChart({ title: "Training loss", xLabel: "step", yLabel: "loss", height: 220, logY: true });
  const sharpnessChart = new LineChart({ title: "Hessian sharpness λ_H", xLabel: "step", yLabel: "λ_H", height: 220, points: true });
  const scaledChart = new LineChart({ title: "ηλ_H", xLabel: "step", yLabel: "ηλ_H", height: 220, points: true });
  scaledChart.setReferenceLines([{ value: 2, label: "2 (λ_H = 2/η)" }]);

  let source: EventSource | null = null;
  let selectedJob: number | null = null;
  let columns: string[] = [];
  let curves: Curves = emptyCurves();
  let pending = false;

  function emptyCurves(): Curves {
    return { steps: [], loss: [], sharpness: [], lrSharpness: [], threshold: NaN };
  }

  function preset(values: Record<string, string>): void {
    for (const [id, value] of Object.entries(values)) {
      const input = document.getElementById(id) as HTMLInputElement | HTMLSelectElement | null;
      if (input) input.value = value;
    }
  }
  quick.addEventListener("click", () => preset({ "live-kind": "train", "live-dataset": "synthetic", "live-train-size": "256", "live-test-size": "0", "live-model": "fc", "live-depth": "3", "live-width": "32", "live-activation": "tanh", "live-loss": "mse-sum", "live-optimizer": "gd", "live-lr-kind": "η", "live-lr": "0.5", "live-steps": "2000", "live-every": "5", "live-goal": "0" }));
  eos.addEventListener("click", () => preset({ "live-kind": "eos", "live-dataset": "fashion-mnist", "live-train-size": "5000", "live-test-size": "1000", "live-model": "fc", "live-depth": "3", "live-width": "200", "live-activation": "tanh", "live-loss": "mse-sum", "live-optimizer": "gd", "live-lr-kind": "η", "live-lr": "2/30, 2/60", "live-steps": "10000", "live-every": "20", "live-goal": "0.99" }));

  function parseRate(text: string): number {
    const parts = text.split("/").map((p) => Number(p.trim()));
    if (parts.length === 2 && parts.every(Number.isFinite)) return parts[0] / parts[1];
    return Number(text);
  }

  start.addEventListener("click", async () => {
    const rates = lr.value.split(",").map((t) => parseRate(t)).filter((v) => Number.isFinite(v));
    const body: Record<string, unknown> = {
      kind: kind.select.value,
      dataset: dataset.select.value,
      train_size: trainSize.value(),
      test_size: testSize.value(),
      model: model.select.value,
      depth: depth.value(),
      width: width.value(),
      activation: activation.select.value,
      param: param.select.value,
      loss: loss.select.value,
      optimizer: optimizer.select.value,
      steps: steps.value(),
      sharpness_every: every.value(),
      seed: seed.value(),
    };
    if (goal.value() > 0) body.accuracy_goal = goal.value();
    if (name.value.trim()) body.name = name.value.trim();
    if (kind.select.value === "eos") body.lrs = rates;
    else if (lrKind.select.value === "η") body.lr = rates[0];
    else body.lr_constant = rates[0];
    try {
      const answer = await postJson<{ job: JobSummary; position: number }>("/api/jobs", body);
      showStatus(formStatus, `job ${answer.job.id} queued (${answer.job.run})${answer.position > 1 ? `, position ${answer.position}` : ""}`);
      await refreshJobs();
      watchJob(answer.job.id, answer.job.run);
    } catch (e) {
      showError(formStatus, e instanceof ApiError ? e : new Error(String(e)));
    }
  });

  cancel.addEventListener("click", async () => {
    if (selectedJob === null) return;
    try {
      await postJson(`/api/jobs/${selectedJob}/cancel`, {});
      await refreshJobs();
    } catch (e) {
      showError(progressText, e);
    }
  });

  async function refreshJobs(): Promise<void> {
    try {
      const answer = await getJson<{ jobs: JobSummary[] }>("/api/jobs");
      jobsList.replaceChildren(
        ...answer.jobs.map((job) => {
          const link = el("a", { href: "#", "data-job": String(job.id) }, `#${job.id} ${job.run}`);
          link.addEventListener("click", (e) => {
            e.preventDefault();
            watchJob(job.id, job.run);
          });
          return el("li", { class: `job state-${job.state}` }, link, ` ${job.state}${job.outcome ? ` (${job.outcome})` : ""}${job.error ? `: ${job.error}` : ""}`);
        }),
      );
    } catch (e) {
      showError(formStatus, e);
    }
  }

  function reset(label: string): void {
    source?.close();
    source = null;
    columns = [];
    curves = emptyCurves();
    title.textContent = label;
    bar.value = 0;
    bar.removeAttribute("data-state");
    draw();
  }

  function addRows(rows: number[][]): void {
    const at = (name: string) => columns.indexOf(name);
    const [step, lossAt, sharpAt, lrSharpAt, thresholdAt] = [at("step"), at("loss"), at("sharpness"), at("lr_sharpness"), at("threshold")];
    for (const row of rows) {
      curves.steps.push(row[step] ?? curves.steps.length);
      curves.loss.push(lossAt >= 0 ? row[lossAt] : null);
      curves.sharpness.push(sharpAt >= 0 ? row[sharpAt] : null);
      curves.lrSharpness.push(lrSharpAt >= 0 ? row[lrSharpAt] : null);
      if (thresholdAt >= 0 && row[thresholdAt] !== null && Number.isFinite(row[thresholdAt])) curves.threshold = row[thresholdAt];
    }
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        draw();
      });
    }
  }

  function draw(): void {
    lossChart.setData(curves.steps, { loss: curves.loss }, true);
    sharpnessChart.setData(curves.steps, { "λ_H": curves.sharpness }, true);
    sharpnessChart.setReferenceLines(Number.isFinite(curves.threshold) ? [{ value: curves.threshold, label: `2/η = ${fmt(curves.threshold, 4)}` }] : []);
    scaledChart.setData(curves.steps, { "ηλ_H": curves.lrSharpness }, true);
    bar.dataset.points = String(curves.steps.length);
  }

  function showProgress(p: ExperimentProgress): void {
    if (p.total !== null && p.total > 0) bar.value = Math.min(1, p.completed / p.total);
    else bar.removeAttribute("value");
    const metrics = p.metrics.map((m) => `${m.name} ${fmt(m.value, 5)}${m.at !== null && m.at < p.completed ? ` (step ${m.at})` : ""}`).join(", ");
    const remaining = seconds(p.remaining);
    progressText.textContent = `${p.task}: ${p.completed}${p.total !== null ? ` / ${p.total}` : ""} ${p.unit}, ${duration(seconds(p.elapsed))} elapsed${remaining !== null ? `, about ${duration(remaining)} left` : ""}${metrics ? `; ${metrics}` : ""}${p.message ? ` (${p.message})` : ""}`;
  }

  function watchJob(id: number, run: string): void {
    reset(`Job ${id}: ${run}`);
    selectedJob = id;
    cancel.removeAttribute("disabled");
    source = events(`/api/jobs/${id}/events`, {}, {
      run: (d) => {
        // kind eos: each learning rate starts its own curves.
        columns = [];
        curves = emptyCurves();
        title.textContent = `Job ${id}: ${d.run}`;
      },
      columns: (d) => (columns = d.columns),
      rows: (batch: { values: number[] }[]) => addRows(batch.map((b) => b.values)),
      progress: (p: ExperimentProgress) => showProgress(p),
      state: (s: JobSummary) => {
        bar.dataset.state = s.state;
        void refreshJobs();
      },
      done: (s: JobSummary) => {
        bar.dataset.state = s.state;
        cancel.setAttribute("disabled", "");
        progressText.textContent += ` — ${s.state}${s.outcome ? ` (${s.outcome})` : ""}${s.error ? `: ${s.error}` : ""}`;
        source?.close();
        void refreshJobs();
      },
    });
  }

  function follow(run: string): void {
    reset(`Following ${run}`);
    selectedJob = null;
    cancel.setAttribute("disabled", "");
    source = events("/api/runs/follow", { run }, {
      columns: (d) => (columns = d.columns),
      rows: (d: { rows: number[][] }) => addRows(d.rows),
      progress: (p: ExperimentProgress) => showProgress(p),
      done: () => {
        bar.dataset.state = "finished";
        progressText.textContent += " — complete";
        source?.close();
      },
    });
  }

  const followInput = el("input", { type: "text", id: "live-follow-run", placeholder: "run folder (relative to --runs)" });
  const followButton = el("button", { type: "button", id: "live-follow" }, "Follow");
  followButton.addEventListener("click", () => followInput.value.trim() && follow(followInput.value.trim()));
  void refreshJobs();

  const element = el(
    "section",
    { class: "view", id: "view-live" },
    el(
      "div",
      { class: "controls" },
      el("h2", {}, "Train a network"),
      el("div", { class: "buttons" }, quick, eos),
      kind.row,
      dataset.row,
      trainSize.row,
      testSize.row,
      model.row,
      depth.row,
      width.row,
      activation.row,
      param.row,
      loss.row,
      optimizer.row,
      lrKind.row,
      el("label", { class: "field", for: "live-lr" }, el("span", {}, "value (eos: list)"), lr),
      steps.row,
      every.row,
      goal.row,
      seed.row,
      name,
      start,
      formStatus,
      el("h3", {}, "Jobs (one runs at a time)"),
      jobsList,
      el("h3", {}, "Follow a run being written"),
      el("div", { class: "row" }, followInput, followButton),
    ),
    el("div", { class: "panels" }, el("div", { class: "row" }, title, cancel), bar, progressText, lossChart.element, sharpnessChart.element, scaledChart.element),
  );
  return { element, follow };
}
