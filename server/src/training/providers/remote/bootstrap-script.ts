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
 * A step before the command that fails (download, checksum, unpack) writes
 * `{"state":"bootstrap_failed","message"}` and stops the machine as well, so no failure leaves a job
 * without a terminal state. There is deliberately no `set -e`: every failure is handled where it happens.
 *
 * Every value is shell-quoted (shell.ts). Two variables, never set by cloud-init, let a test run the
 * very same script in a sandbox: `ARTENIC_BOOTSTRAP_ROOT` replaces the work root (`workRoot`) and
 * `ARTENIC_BOOTSTRAP_STOP`, when set, is evaluated instead of `stopCommand`.
 */

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
    // The log uploader: a background loop, killed when the command ends.
    `( while sleep ${interval}; do artenic_put_stdout "$artenic_logs/stdout.log"; artenic_put_stderr "$artenic_logs/stderr.log"; done ) >/dev/null 2>&1 &`,
    "artenic_uploader=$!",
    "(",
    '  cd "$artenic_workdir" || exit 126',
    '  . "$artenic_root/env.sh" || exit 126',
    '  export ARTENIC_CODE_DIR="$artenic_code" ARTENIC_OUTPUT_DIR="$artenic_output"',
  );
  if (resumeFile !== undefined) add(`  export ARTENIC_RESUME_FROM="$artenic_resume/"${q(resumeFile)}`);
  if (o.image) {
    const names = [...new Set([...(o.envNames ?? []), "ARTENIC_CODE_DIR", "ARTENIC_OUTPUT_DIR", ...(resumeFile !== undefined ? ["ARTENIC_RESUME_FROM"] : [])])];
    add(
      `  exec timeout --kill-after=30s ${maxRuntime}s docker run --rm --network host${o.gpus ? " --gpus all" : ""} \\`,
      '    -v "$artenic_code:$artenic_code" -v "$artenic_output:$artenic_output" -v "$artenic_resume:$artenic_resume:ro" -w "$artenic_workdir" \\',
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
    "artenic_timed_out=false",
    `if { [ "$artenic_exit" -eq 124 ] || [ "$artenic_exit" -eq 137 ]; } && [ $((SECONDS - artenic_start_seconds)) -ge ${maxRuntime} ]; then artenic_timed_out=true; fi`,
    'artenic_retry artenic_put_stdout "$artenic_logs/stdout.log"',
    'artenic_retry artenic_put_stderr "$artenic_logs/stderr.log"',
    "artenic_outputs=false",
    'if tar -czf "$artenic_root/outputs.tar.gz" -C "$artenic_output" . && artenic_retry artenic_put_outputs "$artenic_root/outputs.tar.gz"; then artenic_outputs=true; fi',
    'printf \'{"state":"exited","exit_code":%d,"timed_out":%s,"outputs_uploaded":%s,"started_at":"%s","ended_at":"%s"}\\n\' \\',
    '  "$artenic_exit" "$artenic_timed_out" "$artenic_outputs" "$artenic_started" "$artenic_ended" >"$artenic_root/status.json"',
    'artenic_retry artenic_put_status "$artenic_root/status.json"',
    'touch "$artenic_root/done"',
    "artenic_stop",
    "",
  );
  return lines.join("\n");
}
