/**
 * The browser console: asks for an API key (kept in sessionStorage), lists models and services, and
 * tails the event stream, all through the SDK over Connect (fetch, HTTP/1.1 or HTTP/2).
 */
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { ArtenicError, createArtenicClient, type ArtenicClient } from "@artenic/sdk/web";
import { EventTopic, type Event } from "@artenic/gen/artenic/events/v1/event_pb";
import { ServiceState, type Service } from "@artenic/gen/artenic/inference/v1/service_pb";

const KEY_STORAGE = "artenic.apiKey";
const MAX_EVENTS = 200;

const $ = <T extends HTMLElement>(selector: string): T => {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
};

const ui = {
  form: $<HTMLFormElement>("#key-form"),
  key: $<HTMLInputElement>("#api-key"),
  forget: $<HTMLButtonElement>("#forget"),
  error: $<HTMLParagraphElement>("#error"),
  connection: $<HTMLSpanElement>("#connection"),
  models: $<HTMLTableSectionElement>("#models tbody"),
  modelsCount: $<HTMLSpanElement>("#models-count"),
  services: $<HTMLTableSectionElement>("#services tbody"),
  servicesCount: $<HTMLSpanElement>("#services-count"),
  events: $<HTMLOListElement>("#events"),
  eventsState: $<HTMLSpanElement>("#events-state"),
};

/** The current session: a client and the controller that stops its event stream. */
let session: { artenic: ArtenicClient; stop: AbortController } | undefined;

function describe(error: unknown): string {
  const e = ArtenicError.from(error);
  return `${e.codeName}: ${e.rawMessage}${e.reason && e.reason !== e.codeName ? ` [${e.reason}]` : ""}`;
}

function showError(text: string | undefined): void {
  ui.error.hidden = text === undefined;
  ui.error.textContent = text ?? "";
}

function time(ts: Timestamp | undefined): string {
  return ts ? timestampDate(ts).toLocaleString() : "";
}

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fillTable(body: HTMLTableSectionElement, rows: HTMLTableCellElement[][], columns: number, empty: string): void {
  body.replaceChildren(
    ...(rows.length > 0
      ? rows.map((cells) => {
          const tr = document.createElement("tr");
          tr.append(...cells);
          return tr;
        })
      : [
          (() => {
            const tr = document.createElement("tr");
            const td = cell(empty, "empty");
            td.colSpan = columns;
            tr.append(td);
            return tr;
          })(),
        ]),
  );
}

async function loadModels(artenic: ArtenicClient): Promise<void> {
  const { models, totalSize } = await artenic.registry.listModels({ pageSize: 100 });
  ui.modelsCount.textContent = `(${totalSize})`;
  fillTable(
    ui.models,
    models.map((m) => [cell(m.name), cell(m.displayName), cell(m.framework), cell(String(m.versionCount)), cell(m.productionVersion), cell(time(m.createTime))]),
    6,
    "No models yet.",
  );
}

function targetText(s: Service): string {
  const t = s.target?.target;
  switch (t?.case) {
    case "modelVersion":
    case "ensemble":
      return t.value;
    case "modelAlias":
      return `${t.value.model}@${t.value.alias}`;
    case "modelStage":
      return `${t.value.model} (production)`;
    default:
      return "";
  }
}

async function loadServices(artenic: ArtenicClient): Promise<void> {
  const { services, totalSize } = await artenic.inference.listServices({ pageSize: 100 });
  ui.servicesCount.textContent = `(${totalSize})`;
  fillTable(
    ui.services,
    services.map((s) => {
      const state = ServiceState[s.state] ?? String(s.state);
      return [cell(s.name), cell(state, `state-${state}`), cell(targetText(s)), cell(s.resolvedModelVersion || s.resolvedEnsembleSnapshot), cell(time(s.updateTime))];
    }),
    5,
    "No services yet.",
  );
}

function setEventsState(state: "idle" | "connecting" | "replaying" | "live" | "error", text: string = state): void {
  ui.eventsState.dataset["state"] = state;
  ui.eventsState.textContent = text;
}

function eventItem(e: Event, fresh: boolean): HTMLLIElement {
  const li = document.createElement("li");
  li.dataset["cursor"] = e.cursor;
  li.dataset["type"] = e.type;
  li.dataset["resource"] = e.resource;
  if (fresh) li.className = "new";
  const span = (text: string, className: string) => {
    const s = document.createElement("span");
    s.className = className;
    s.textContent = text;
    return s;
  };
  li.append(
    span(e.createTime ? timestampDate(e.createTime).toLocaleTimeString() : "", "time"),
    span(e.type, "type"),
    span(e.resource, "resource"),
    span(e.actor ? `by ${e.actor}` : "", "actor"),
  );
  return li;
}

function addEvent(e: Event, fresh: boolean): void {
  ui.events.prepend(eventItem(e, fresh));
  while (ui.events.children.length > MAX_EVENTS) ui.events.lastElementChild?.remove();
}

function addEventError(text: string): void {
  const li = document.createElement("li");
  const span = document.createElement("span");
  span.className = "error";
  span.textContent = text;
  li.append(span);
  ui.events.prepend(li);
}

/** Debounced reloads of the tables when events say they changed. */
function reloader(load: () => Promise<void>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load().catch((e: unknown) => showError(describe(e))), 150);
  };
}

/** Shows the recent history, then follows the log live from the newest event shown. */
async function tailEvents(artenic: ArtenicClient, signal: AbortSignal): Promise<void> {
  const reloadModels = reloader(() => loadModels(artenic));
  const reloadServices = reloader(() => loadServices(artenic));
  setEventsState("connecting");
  try {
    const { events } = await artenic.events.listEvents({ pageSize: 20, orderBy: "create_time desc" }, { signal });
    ui.events.replaceChildren();
    for (const e of [...events].reverse()) addEvent(e, false);
    const cursor = events[0]?.cursor ?? "";
    setEventsState("replaying", "connecting");
    for await (const event of artenic.subscribeEvents(
      { afterCursor: cursor, heartbeatInterval: { seconds: 5n } },
      {
        signal,
        onHeartbeat: (h) => {
          if (h.caughtUp) setEventsState("live");
        },
        onResume: (r) => setEventsState("connecting", `reconnecting (${r.error.codeName})`),
      },
    )) {
      setEventsState("live");
      addEvent(event, true);
      if (event.topic === EventTopic.REGISTRY && event.resource.startsWith("models/")) reloadModels();
      if (event.topic === EventTopic.INFERENCE && event.resource.startsWith("services/")) reloadServices();
    }
    if (!signal.aborted) setEventsState("idle", "ended");
  } catch (e) {
    if (signal.aborted) return;
    setEventsState("error");
    addEventError(`event stream: ${describe(e)}`);
  }
}

async function connect(apiKey: string): Promise<void> {
  session?.stop.abort();
  showError(undefined);
  document.body.dataset["state"] = "connecting";
  ui.connection.textContent = "connecting…";
  ui.connection.className = "pill";
  const artenic = createArtenicClient({ apiKey, timeoutMs: 15_000 });
  const stop = new AbortController();
  session = { artenic, stop };
  try {
    await Promise.all([loadModels(artenic), loadServices(artenic)]);
  } catch (e) {
    const error = ArtenicError.from(e);
    showError(describe(error));
    if (error.codeName === "UNAUTHENTICATED") sessionStorage.removeItem(KEY_STORAGE);
    document.body.dataset["state"] = "error";
    ui.connection.textContent = "not connected";
    ui.connection.className = "pill bad";
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, apiKey);
  document.body.dataset["state"] = "connected";
  ui.connection.textContent = `connected to ${location.host}`;
  ui.connection.className = "pill ok";
  void tailEvents(artenic, stop.signal);
}

ui.form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const key = ui.key.value.trim();
  if (key) void connect(key);
});

ui.forget.addEventListener("click", () => {
  session?.stop.abort();
  session = undefined;
  sessionStorage.removeItem(KEY_STORAGE);
  ui.key.value = "";
  document.body.dataset["state"] = "signed-out";
  ui.connection.textContent = "not connected";
  ui.connection.className = "pill";
  setEventsState("idle");
});

const stored = sessionStorage.getItem(KEY_STORAGE);
if (stored) {
  ui.key.value = stored;
  void connect(stored);
}
