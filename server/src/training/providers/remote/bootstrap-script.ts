import { AppError } from "../../../platform/errors/app-error.js";
import type { ObjectTransfer } from "./job-objects.js";
import { checkEnvName, shellQuote as q } from "./shell.js";

/**
 * Renders the one bash script a remote machine runs at boot (cloud-init user data, a startup
 * script, container args). In order it:
 * 1. downloads exactly the job's code object, checks its sha256 and unpacks it into ARTENIC_CODE_DIR;
 * 2. downloads the job's environment (`env.sh`) and, for a retry, the checkpoint (ARTENIC_RESUME_FROM);
 * 3. writes status.json `{"state":"running","started_at"}` and runs the command in
 *    ARTENIC_CODE_DIR/<working dir> with the job's environment, under `timeout` (the max runtime),
 *    its stdout and stderr re-uploaded every `logUploadIntervalSeconds` while it runs;
 * 4. uploads the final logs and ARTENIC_OUTPUT_DIR as outputs.tar.gz, then the final status.json
 *    `{"state":"exited","exit_code","timed_out","outputs_uploaded","started_at","ended_at"}`, whose
 *    exit code alone decides success;
 * 5. stops its own machine (`stopCommand`, `shutdown -h now` by default).
 * With `preemptionNotice` (spot machines), a watcher polls the provider's metadata service while the
 * command runs; on a notice that the machine is about to be reclaimed it writes the notice to
 * ARTENIC_PREEMPTION_FILE, sends SIGTERM to the command (through `timeout`, which forwards it to the
 * command and to its process group, so the command may see it twice, and SIGKILLs 30 s later, as at
 * the max runtime), says so in the
 * stderr log, uploads the logs at once, and the final status.json carries `preemption_notice`.
 * A step before the command that fails (download, checksum, unpack) writes
 * `{"state":"bootstrap_failed","message"}` and stops the machine as well, so no failure leaves a job
 * without a terminal state. There is deliberately no `set -e`: every failure is handled where it happens.
 *
 * Every value is shell-quoted (shell.ts). Variables never set by cloud-init let a test run the very
 * same script in a sandbox: `ARTENIC_BOOTSTRAP_ROOT` replaces the work root (`workRoot`),
 * `ARTENIC_BOOTSTRAP_STOP`, when set, is evaluated instead of `stopCommand`,
 * `ARTENIC_BOOTSTRAP_METADATA_URL` replaces the metadata service's base URL and
 * `ARTENIC_BOOTSTRAP_NOTICE_INTERVAL` the watcher's poll interval (seconds).
 */

/**
 * Where a spot machine learns it is about to be reclaimed:
 * - `aws`: IMDSv2, GET /latest/meta-data/spot/instance-action (404 until a notice, ~2 min ahead);
 * - `azure`: Scheduled Events, an event of type `Preempt` (at least 30 s ahead);
 * - `gcp`: /computeMetadata/v1/instance/preempted turns `TRUE` (30 s ahead).
 */
export type PreemptionNoticeSource = "aws" | "azure" | "gcp";

/** The file (created at a notice) a job may check; exported to it as ARTENIC_PREEMPTION_FILE. */
export const PREEMPTION_FILE_ENV = "ARTENIC_PREEMPTION_FILE";

const METADATA_BASE: Record<PreemptionNoticeSource, string> = {
  aws: "http://169.254.169.254",
  azure: "http://169.254.169.254",
  gcp: "http://metadata.google.internal",
};

/** How often the watcher asks by default, in seconds: well inside the shortest (30 s) warning. */
const NOTICE_INTERVAL_SECONDS = 5;

export interface BootstrapObjects {
  /** The code archive and its sha256; absent when the job has no code. */
  readonly code?: { readonly transfer: ObjectTransfer; readonly sha256: string };
  readonly env: ObjectTransfer;
  /** The checkpoint a retry resumes from, saved under `fileName`. */
  readonly resume?: { readonly transfer: ObjectTransfer; readonly fileName: string };
  readonly status: ObjectTransfer;
  readonly stdout: ObjectTransfer;
  readonly stderr: ObjectTransfer;
  readonly outputs: ObjectTransfer;
}

export interface BootstrapOptions {
  /** `trainingJobs/<id>`. */
  readonly jobName: string;
  /** The job id, a DNS label: the work directory's name. */
  readonly jobId: string;
  readonly objects: BootstrapObjects;
  /** The command and its arguments. */
  readonly command: readonly string[];
  /** Relative to the code root; "" for the root. */
  readonly workingDir?: string;
  readonly maxRuntimeSeconds: number;
  /**
   * Names of the variables `env.sh` defines (values are never in the script). Used to pass them into
   * a container when `image` is set.
   */
  readonly envNames?: readonly string[];
  /**
   * Runs the command in this image (docker on the machine) instead of on the machine itself; the code,
   * output and resume directories are mounted at the same paths, GPUs passed when `gpus`.
   */
  readonly image?: string;
  readonly gpus?: boolean;
  /** Non-secret variables for the transfer tools (AWS_DEFAULT_REGION, AWS_ENDPOINT_URL...). */
  readonly toolEnv?: Readonly<Record<string, string>>;
  /** Shell lines run first (e.g. installing a CLI); written by the adapter, not from user input. */
  readonly prepare?: readonly string[];
  /** @default ["shutdown", "-h", "now"] */
  readonly stopCommand?: readonly string[];
  /** @default "/var/lib/artenic" */
  readonly workRoot?: string;
  /** @default 15 */
  readonly logUploadIntervalSeconds?: number;
  /** How many times a transfer is tried. @default 5 */
  readonly transferAttempts?: number;
  /** Watch this provider's metadata service for a preemption notice (spot machines only). */
  readonly preemptionNotice?: PreemptionNoticeSource;
}

/** One bash function per object: `name "$file"` downloads (read) or uploads (write) it. */
function transferFunction(name: string, transfer: ObjectTransfer, access: "read" | "write"): string {
  let body: string;
  if (transfer.kind === "url") {
    const headers = Object.entries(transfer.headers ?? {}).map(([k, v]) => `-H ${q(`${k}: ${v}`)}`);
    body =
      access === "read"
        ? ["curl", "-fsSL", "--retry", "3", "--retry-connrefused", "-o", '"$1"', ...headers, q(transfer.url)].join(" ")
        : ["curl", "-fsS", "--retry", "3", "--retry-connrefused", "-X", "PUT", ...headers, "--upload-file", '"$1"', q(transfer.url)].join(" ") + " >/dev/null";
  } else {
    if (transfer.argv.filter((a) => a === "{file}").length !== 1) throw new Error(`transfer ${name}: the argv must hold exactly one {file} argument`);
    body = transfer.argv.map((a) => (a === "{file}" ? '"$1"' : q(a))).join(" ");
  }
  return `${name}() { ${body}; }`;
}

/**
 * The shell that asks the metadata service once: succeeds on a notice, setting
 * `artenic_notice_action` and `artenic_notice_time` (as the provider gave them). Every curl is
 * bounded; answers go to files in `$artenic_watch` so that `artenic_quietly` (see the watcher) can
 * end them at once.
 */
/** The first words of a background loop: on TERM, end what it waits for, then itself. */
const LOOP_TRAP = `artenic_nap=""; trap '[ -n "$artenic_nap" ] && kill "$artenic_nap" 2>/dev/null; exit 0' TERM`;

function noticeCheck(source: PreemptionNoticeSource): string[] {
  switch (source) {
    case "aws":
      // IMDSv2: a session token (10 min), renewed after 5; a 401 means it expired early.
      return String.raw`artenic_imds_token=""; artenic_imds_token_at=0
artenic_notice_check() {
  if [ -z "$artenic_imds_token" ] || [ $((SECONDS - artenic_imds_token_at)) -ge 300 ]; then
    artenic_quietly curl -sf -m 3 -o "$artenic_watch/token" -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 600' "$artenic_metadata/latest/api/token" || return 1
    artenic_imds_token=$(cat "$artenic_watch/token"); artenic_imds_token_at=$SECONDS
  fi
  artenic_quietly curl -s -m 3 -o "$artenic_watch/answer" -w '%{http_code}' -H "X-aws-ec2-metadata-token: $artenic_imds_token" "$artenic_metadata/latest/meta-data/spot/instance-action" >"$artenic_watch/code"
  case "$(cat "$artenic_watch/code")" in 200) ;; 401) artenic_imds_token=""; return 1 ;; *) return 1 ;; esac
  artenic_notice_action=$(artenic_field action <"$artenic_watch/answer")
  artenic_notice_time=$(artenic_field time <"$artenic_watch/answer")
}`.split("\n");
    case "azure":
      // Scheduled Events: one object per event (no nested objects), so one line per event once split
      // at the braces. Never acknowledged: that would let Azure reclaim the machine sooner.
      return String.raw`artenic_notice_check() {
  artenic_quietly curl -sf -m 10 -o "$artenic_watch/answer" -H 'Metadata: true' "$artenic_metadata/metadata/scheduledevents?api-version=2020-07-01" || return 1
  tr '{}' '\n\n' <"$artenic_watch/answer" | grep '"EventType" *: *"Preempt"' | head -n 1 >"$artenic_watch/event"
  [ -s "$artenic_watch/event" ] || return 1
  artenic_notice_action=Preempt
  artenic_notice_time=$(artenic_field NotBefore <"$artenic_watch/event")
}`.split("\n");
    case "gcp":
      // No time in the answer: Compute Engine stops a preempted instance 30 s after the notice.
      return String.raw`artenic_notice_check() {
  artenic_quietly curl -sf -m 3 -o "$artenic_watch/answer" -H 'Metadata-Flavor: Google' "$artenic_metadata/computeMetadata/v1/instance/preempted" || return 1
  [ "$(cat "$artenic_watch/answer")" = TRUE ] || return 1
  artenic_notice_action=preempt
  artenic_notice_time=$(date -u -d '+30 seconds' +%Y-%m-%dT%H:%M:%SZ)
}`.split("\n");
  }
}

/**
 * The preemption watcher: a background subshell started just before the command. It waits for the
 * command's pid (`$artenic_root/job.pid`, written by the command's subshell before it execs
 * `timeout`), then polls; at a notice it acts once and ends. It ends as soon as the script kills it:
 * its sleeps and requests run in the background (`artenic_quietly`) so its TERM trap ends them too,
 * and nothing is left to keep the machine from stopping.
 */
function preemptionWatcher(source: PreemptionNoticeSource): string[] {
  return [
    `artenic_metadata="\${ARTENIC_BOOTSTRAP_METADATA_URL:-${METADATA_BASE[source]}}"`,
    `artenic_notice_interval="\${ARTENIC_BOOTSTRAP_NOTICE_INTERVAL:-${NOTICE_INTERVAL_SECONDS}}"`,
    'artenic_watch="$artenic_root/watch"; artenic_notice="$artenic_root/notice"',
    'mkdir -p "$artenic_watch" "$artenic_notice"; rm -f "$artenic_root/job.pid"',
    "(",
    `  ${LOOP_TRAP}`,
    // A JSON string field's value, kept to characters that need no escaping.
    '  artenic_field() { sed -n "s/.*\\"$1\\" *: *\\"\\([^\\"]*\\)\\".*/\\1/p" | head -n 1 | tr -cd \'A-Za-z0-9:.,+ _-\'; }',
    ...noticeCheck(source).map((l) => `  ${l}`),
    '  until [ -s "$artenic_root/job.pid" ]; do artenic_quietly sleep 0.2; done',
    '  until artenic_notice_check; do artenic_quietly sleep "$artenic_notice_interval"; done',
    `  printf '{"provider":"${source}","action":"%s","action_at":"%s","noticed_at":"%s"}\\n' "$artenic_notice_action" "$artenic_notice_time" "$(artenic_now)" >"$artenic_watch/notice.json"`,
    '  mv "$artenic_watch/notice.json" "$artenic_notice/preemption.json"',
    `  echo "artenic: preemption notice (${source}, action at $artenic_notice_time): sent SIGTERM so the job can checkpoint" >>"$artenic_logs/stderr.log"`,
    '  kill -TERM "$(cat "$artenic_root/job.pid")"',
    '  artenic_put_stderr "$artenic_logs/stderr.log"; artenic_put_stdout "$artenic_logs/stdout.log"',
    ") >/dev/null 2>&1 &",
    "artenic_watcher=$!",
  ];
}

function checkRelative(dir: string): void {
  if (dir.startsWith("/") || dir.split("/").includes("..")) {
    throw new AppError("invalid_argument", "INVALID_WORKING_DIR", `The working directory ${dir} must be relative to the code and stay inside it.`, { workingDir: dir }, {
      fieldViolations: [{ field: "spec.working_dir", description: "must be a relative path without .." }],
    });
  }
}

export function renderBootstrapScript(o: BootstrapOptions): string {
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(o.jobId)) throw new Error(`bootstrap: ${o.jobId} is not a job id`);
  if (o.command.length === 0) {
    throw new AppError("invalid_argument", "COMMAND_REQUIRED", `${o.jobName}: a remote job needs a command to run.`, { name: o.jobName }, {
      fieldViolations: [{ field: "spec.command", description: "must not be empty for this provider" }],
    });
  }
  const workingDir = (o.workingDir ?? "").replace(/^\.?\/+|\/+$/g, "");
  checkRelative(workingDir);
  const maxRuntime = Math.max(1, Math.ceil(o.maxRuntimeSeconds));
  const interval = Math.max(1, Math.round(o.logUploadIntervalSeconds ?? 15));
  const attempts = Math.max(1, Math.round(o.transferAttempts ?? 5));
  const stop = (o.stopCommand ?? ["shutdown", "-h", "now"]).map(q).join(" ");
  const resumeFile = o.objects.resume?.fileName;
  if (resumeFile !== undefined && (resumeFile === "" || resumeFile.includes("/") || resumeFile === "." || resumeFile === "..")) throw new Error("bootstrap: the resume file name must be a plain file name");
  for (const name of o.envNames ?? []) checkEnvName(name);
  for (const name of Object.keys(o.toolEnv ?? {})) checkEnvName(name, "config");

  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);
  add(
    "#!/bin/bash",
    `# Artenic training bootstrap for ${o.jobName.replace(/[^A-Za-z0-9/_-]/g, "")}: fetch the code, run the command with the job's`,
    "# environment, report status, logs and outputs to the job's objects, then stop this machine.",
    "set -u",
    "umask 077",
    `artenic_root="\${ARTENIC_BOOTSTRAP_ROOT:-${q(o.workRoot ?? "/var/lib/artenic")}}/${o.jobId}"`,
    'artenic_code="$artenic_root/code"',
    'artenic_output="$artenic_root/output"',
    'artenic_resume="$artenic_root/resume"',
    'artenic_logs="$artenic_root/logs"',
  );
  for (const [k, v] of Object.entries(o.toolEnv ?? {})) add(`export ${k}=${q(v)}`);
  add(...(o.prepare ?? []));
  add(
    transferFunction("artenic_get_env", o.objects.env, "read"),
    transferFunction("artenic_put_status", o.objects.status, "write"),
    transferFunction("artenic_put_stdout", o.objects.stdout, "write"),
    transferFunction("artenic_put_stderr", o.objects.stderr, "write"),
    transferFunction("artenic_put_outputs", o.objects.outputs, "write"),
  );
  if (o.objects.code) add(transferFunction("artenic_get_code", o.objects.code.transfer, "read"));
  if (o.objects.resume) add(transferFunction("artenic_get_resume", o.objects.resume.transfer, "read"));
  add(
    `artenic_command=(${o.command.map(q).join(" ")})`,
    'artenic_now() { date -u +%Y-%m-%dT%H:%M:%SZ; }',
    // Runs a command in the background and waits for it, so that a background loop's TERM trap
    // (LOOP_TRAP) interrupts the wait and ends that command too instead of leaving it behind.
    'artenic_quietly() { "$@" & artenic_nap=$!; wait "$artenic_nap"; }',
    `artenic_retry() { local n=1; until "$@"; do [ "$n" -ge ${attempts} ] && return 1; sleep "$n"; n=$((n + 1)); done; }`,
    `artenic_stop() { if [ -n "\${ARTENIC_BOOTSTRAP_STOP+x}" ]; then eval "$ARTENIC_BOOTSTRAP_STOP"; else ${stop}; fi; }`,
    "artenic_fail() {",
    '  printf \'{"state":"bootstrap_failed","message":"%s","ended_at":"%s"}\\n\' "$1" "$(artenic_now)" >"$artenic_root/status.json"',
    '  artenic_retry artenic_put_status "$artenic_root/status.json"',
    '  echo "artenic: $1" >&2',
    "  touch \"$artenic_root/done\"",
    "  artenic_stop",
    "  exit 1",
    "}",
    // A machine that boots again (some clouds re-run startup scripts) does not run the job twice.
    'if [ -e "$artenic_root/done" ]; then artenic_stop; exit 0; fi',
    'mkdir -p "$artenic_code" "$artenic_output" "$artenic_resume" "$artenic_logs" || exit 1',
  );
  if (o.objects.code) {
    add(
      'artenic_retry artenic_get_code "$artenic_root/code.tar.gz" || artenic_fail "the code could not be downloaded"',
      `printf '%s  %s\\n' ${q(o.objects.code.sha256)} "$artenic_root/code.tar.gz" | sha256sum -c --status - || artenic_fail "the code archive does not match its sha256"`,
      'tar -xzf "$artenic_root/code.tar.gz" -C "$artenic_code" --no-same-owner || artenic_fail "the code archive could not be unpacked"',
    );
  }
  add('artenic_retry artenic_get_env "$artenic_root/env.sh" || artenic_fail "the job environment could not be downloaded"');
  if (o.objects.resume) add(`artenic_retry artenic_get_resume "$artenic_resume/"${q(resumeFile!)} || artenic_fail "the checkpoint to resume from could not be downloaded"`);
  add(
    `artenic_workdir="$artenic_code"${workingDir ? `/${q(workingDir)}` : ""}`,
    '[ -d "$artenic_workdir" ] || artenic_fail "the working directory does not exist in the code"',
    ': >"$artenic_logs/stdout.log"; : >"$artenic_logs/stderr.log"',
    "artenic_started=$(artenic_now)",
    'printf \'{"state":"running","started_at":"%s"}\\n\' "$artenic_started" >"$artenic_root/status.json"',
    'artenic_retry artenic_put_status "$artenic_root/status.json"',
    "artenic_start_seconds=$SECONDS",
    // The log uploader: a background loop, ended when the command ends (an upload in flight first
    // completes, so it never lands after the final one; a sleep ends with it).
    `( ${LOOP_TRAP}; while artenic_quietly sleep ${interval}; do artenic_put_stdout "$artenic_logs/stdout.log"; artenic_put_stderr "$artenic_logs/stderr.log"; done ) >/dev/null 2>&1 &`,
    "artenic_uploader=$!",
  );
  const notice = o.preemptionNotice;
  if (notice) add(...preemptionWatcher(notice));
  add(
    "(",
    '  cd "$artenic_workdir" || exit 126',
    '  . "$artenic_root/env.sh" || exit 126',
    '  export ARTENIC_CODE_DIR="$artenic_code" ARTENIC_OUTPUT_DIR="$artenic_output"',
  );
  if (resumeFile !== undefined) add(`  export ARTENIC_RESUME_FROM="$artenic_resume/"${q(resumeFile)}`);
  // The subshell's pid is timeout's once it execs: what the watcher signals.
  if (notice) add(`  export ${PREEMPTION_FILE_ENV}="$artenic_notice/preemption.json"`, '  echo "$BASHPID" >"$artenic_root/job.pid"');
  if (o.image) {
    const names = [...new Set([...(o.envNames ?? []), "ARTENIC_CODE_DIR", "ARTENIC_OUTPUT_DIR", ...(resumeFile !== undefined ? ["ARTENIC_RESUME_FROM"] : []), ...(notice ? [PREEMPTION_FILE_ENV] : [])])];
    add(
      `  exec timeout --kill-after=30s ${maxRuntime}s docker run --rm --network host${o.gpus ? " --gpus all" : ""} \\`,
      `    -v "$artenic_code:$artenic_code" -v "$artenic_output:$artenic_output" -v "$artenic_resume:$artenic_resume:ro"${notice ? ' -v "$artenic_notice:$artenic_notice:ro"' : ""} -w "$artenic_workdir" \\`,
      `    ${names.map((n) => `-e ${n}`).join(" ")} ${q(o.image)} "\${artenic_command[@]}"`,
    );
  } else {
    add(`  exec timeout --kill-after=30s ${maxRuntime}s "\${artenic_command[@]}"`);
  }
  add(
    ') </dev/null >>"$artenic_logs/stdout.log" 2>>"$artenic_logs/stderr.log"',
    "artenic_exit=$?",
    "artenic_ended=$(artenic_now)",
    'kill "$artenic_uploader" 2>/dev/null; wait "$artenic_uploader" 2>/dev/null',
  );
  // The watcher ends with the command; a notice it recorded goes into the final status.
  if (notice) add('kill "$artenic_watcher" 2>/dev/null; wait "$artenic_watcher" 2>/dev/null', `artenic_noticed=""; [ -s "$artenic_notice/preemption.json" ] && artenic_noticed=',"preemption_notice":'"$(cat "$artenic_notice/preemption.json")"`);
  add(
    "artenic_timed_out=false",
    `if { [ "$artenic_exit" -eq 124 ] || [ "$artenic_exit" -eq 137 ]; } && [ $((SECONDS - artenic_start_seconds)) -ge ${maxRuntime} ]; then artenic_timed_out=true; fi`,
    'artenic_retry artenic_put_stdout "$artenic_logs/stdout.log"',
    'artenic_retry artenic_put_stderr "$artenic_logs/stderr.log"',
    "artenic_outputs=false",
    'if tar -czf "$artenic_root/outputs.tar.gz" -C "$artenic_output" . && artenic_retry artenic_put_outputs "$artenic_root/outputs.tar.gz"; then artenic_outputs=true; fi',
    `printf '{"state":"exited","exit_code":%d,"timed_out":%s,"outputs_uploaded":%s,"started_at":"%s","ended_at":"%s"${notice ? "%s" : ""}}\\n' \\`,
    `  "$artenic_exit" "$artenic_timed_out" "$artenic_outputs" "$artenic_started" "$artenic_ended"${notice ? ' "$artenic_noticed"' : ""} >"$artenic_root/status.json"`,
    'artenic_retry artenic_put_status "$artenic_root/status.json"',
    'touch "$artenic_root/done"',
    "artenic_stop",
    "",
  );
  return lines.join("\n");
}
