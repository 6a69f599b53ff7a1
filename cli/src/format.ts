import { timestampDate, type Timestamp, type Duration } from "@bufbuild/protobuf/wkt";
import type { Money } from "@artenic/gen/google/type/money_pb";

/** Renders rows as a table with a header, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return "(none)\n";
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(Math.max(0, widths[i]! - visibleLength(c)))))
      .join("  ")
      .trimEnd();
  return [line(header.map((h) => h.toUpperCase())), ...rows.map(line)].join("\n") + "\n";
}

/** Key/value lines for one resource. */
export function details(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") + "\n";
}

function visibleLength(s: string): number {
  // eslint-style control-sequence strip, so colours never break alignment.
  return s.replace(/\x1b\[[0-9;]*m/g, "").length;
}

/** An enum value's name without the prefix its values share (`AB_TEST_STATE_RUNNING` → `RUNNING`). */
export function enumName(e: Record<string | number, string | number>, value: number): string {
  const names = Object.keys(e).filter((k) => Number.isNaN(Number(k)));
  let prefix = names[0] ?? "";
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  prefix = prefix.slice(0, prefix.lastIndexOf("_") + 1);
  const name = e[value];
  return typeof name === "string" ? name.slice(prefix.length) : String(value);
}

/** Parses `PRODUCTION`, `production` or `MODEL_VERSION_STAGE_PRODUCTION` into the enum value. */
export function parseEnum(e: Record<string | number, string | number>, text: string, what: string): number {
  const wanted = text.trim().toUpperCase().replace(/-/g, "_");
  for (const [k, v] of Object.entries(e)) {
    if (typeof v !== "number" || v === 0) continue;
    if (k === wanted || enumName(e, v) === wanted || k.endsWith(`_${wanted}`)) return v;
  }
  const choices = Object.entries(e)
    .filter(([, v]) => typeof v === "number" && v !== 0)
    .map(([, v]) => enumName(e, v as number).toLowerCase());
  throw new UsageError(`unknown ${what} "${text}" (choose from ${choices.join(", ")})`);
}

export function time(ts: Timestamp | undefined): string {
  if (!ts) return "";
  return timestampDate(ts).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function shortTime(ts: Timestamp | undefined): string {
  if (!ts) return "--:--:--";
  return timestampDate(ts).toISOString().slice(11, 19);
}

export function duration(d: Duration | undefined): string {
  if (!d) return "";
  const ms = Number(d.seconds) * 1000 + d.nanos / 1e6;
  return ms < 1000 ? `${ms.toFixed(ms < 10 ? 2 : 1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function money(m: Money | undefined): string {
  if (!m) return "";
  const value = Number(m.units) + m.nanos / 1e9;
  return `${value.toFixed(2)} ${m.currencyCode}`;
}

export function bytes(n: number | bigint): string {
  let v = Number(n);
  for (const unit of ["B", "KiB", "MiB", "GiB"]) {
    if (v < 1024 || unit === "GiB") return unit === "B" ? `${v} B` : `${v.toFixed(1)} ${unit}`;
    v /= 1024;
  }
  return `${v} B`;
}

export function num(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(digits)));
}

export function labels(map: Readonly<Record<string, string>>): string {
  return Object.entries(map)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** An error in how the command was called: exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * A progress bar on a stream. On a terminal it redraws one line; elsewhere (when forced) it prints
 * a line at each tenth, so logs stay readable.
 */
export class ProgressBar {
  private lastTenth = -1;
  private readonly started = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly label: string,
    private readonly tty = out.isTTY === true,
  ) {}

  update(done: number, total: number | undefined): void {
    const fraction = total ? Math.min(1, done / total) : undefined;
    if (this.tty) {
      const width = 28;
      const filled = fraction === undefined ? 0 : Math.round(fraction * width);
      const bar = fraction === undefined ? "" : `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  `;
      this.out.write(`\r${this.label}  ${bar}${bytes(done)}${total ? ` / ${bytes(total)}` : ""}  ${this.rate(done)}\x1b[K`);
      return;
    }
    const tenth = fraction === undefined ? Math.floor(done / (1024 * 1024)) : Math.floor(fraction * 10);
    if (tenth === this.lastTenth) return;
    this.lastTenth = tenth;
    this.out.write(`${this.label}  ${fraction === undefined ? "" : `${Math.floor(fraction * 100)}%  `}${bytes(done)}${total ? ` / ${bytes(total)}` : ""}\n`);
  }

  finish(): void {
    if (this.tty) this.out.write("\n");
  }

  private rate(done: number): string {
    const s = (Date.now() - this.started) / 1000;
    return s > 0.2 ? `${bytes(Math.round(done / s))}/s` : "";
  }
}
