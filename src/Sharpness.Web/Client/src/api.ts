// Calls to the server's JSON API. Every request carries the token the server put into the page
// (a POST needs it; with --token, every request does), and every error answer is one line of JSON.

const tokenMeta = document.querySelector<HTMLMetaElement>('meta[name="sharpness-token"]');
export const token = tokenMeta?.content ?? "";

export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

export type Params = Record<string, string | number | boolean | null | undefined>;

export function url(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(key, String(value));
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}

// For URLs the browser fetches itself (images, event streams), which cannot carry a header.
export function urlWithToken(path: string, params: Params = {}): string {
  return url(path, tokenRequired ? { ...params, token } : params);
}

let tokenRequired = false;
export function setTokenRequired(required: boolean): void {
  tokenRequired = required;
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, `HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  if (!response.ok) {
    const message = (body as { error?: string } | null)?.error ?? `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return body as T;
}

export async function getJson<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url(path, params), { headers: { "X-Sharpness-Token": token }, signal });
  return answer<T>(response);
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "X-Sharpness-Token": token, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return answer<T>(response);
}

export function events(path: string, params: Params, handlers: Record<string, (data: any) => void>): EventSource {
  const source = new EventSource(urlWithToken(path, params));
  for (const [name, handler] of Object.entries(handlers)) {
    source.addEventListener(name, (e) => handler(JSON.parse((e as MessageEvent).data)));
  }
  return source;
}

// The progress snapshot every experiment reports (Sharpness.Experiments.Progress.ExperimentProgress).
export interface ProgressMetric {
  name: string;
  value: number | null;
  at: number | null;
}
export interface ExperimentProgress {
  task: string;
  completed: number;
  total: number | null;
  unit: string;
  elapsed: string;
  remaining: string | null;
  fraction: number | null;
  metrics: ProgressMetric[];
  message: string | null;
  job: number;
}
