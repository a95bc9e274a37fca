// The GitHub Action's check: run prisma-xc on the pull request's schema change against its
// base, and hand the results to GitHub: annotations on the schema lines (workflow commands on
// standard output), the job summary, SARIF for code scanning, the step's outputs, and one pull
// request comment, updated on every run. The step fails when the check fails.
//
// Inputs (from action.yml): XC_BIN (default: prisma-xc on PATH), XC_BASE, XC_SCHEMA,
// XC_FAIL_ON, XC_ARGS, XC_SARIF, XC_COMMENT, XC_TOKEN. The runner's own variables:
// GITHUB_BASE_REF, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_STEP_SUMMARY,
// GITHUB_OUTPUT, RUNNER_TEMP.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const env = process.env;
const MARKER = "<!-- prisma-xc report -->";

function escapeData(text) {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function annotate(level, message) {
  console.log(`::${level} title=prisma-xc::${escapeData(message)}`);
}

function output(name, value) {
  if (env.GITHUB_OUTPUT) fs.appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

function git(args) {
  return spawnSync("git", args, { encoding: "utf8" });
}

/// The base revision: the input, else the pull request's base branch, fetched when the
/// checkout lacks it (actions/checkout fetches only the head by default).
function base() {
  if (env.XC_BASE) return env.XC_BASE;
  const branch = env.GITHUB_BASE_REF;
  if (!branch) {
    annotate("error", "no base to compare with: run on pull_request events, or set the action's `base` input (a branch, tag or commit)");
    process.exit(1);
  }
  const ref = `origin/${branch}`;
  if (git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).status !== 0) {
    const fetched = git(["fetch", "--no-tags", "--depth=1", "origin", `+refs/heads/${branch}:refs/remotes/${ref}`]);
    if (fetched.status !== 0) {
      annotate("error", `could not fetch the base branch ${branch}: ${fetched.stderr.trim()}`);
      process.exit(1);
    }
  }
  return ref;
}

function splitArgs(text) {
  return (text || "").split(/\s+/).filter(Boolean);
}

const bin = env.XC_BIN || "prisma-xc";
const args = ["diff", "--base", base()];
if (env.XC_SCHEMA) args.push(env.XC_SCHEMA);
if (env.XC_FAIL_ON) args.push("--fail-on", env.XC_FAIL_ON);
args.push(...splitArgs(env.XC_ARGS));

function xc(format, extra = []) {
  const run = spawnSync(bin, [...args, "--format", format, ...extra], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.error) {
    annotate("error", `could not run ${bin}: ${run.error.message}`);
    process.exit(1);
  }
  if (run.status === 2) {
    // Bad input: prisma-xc's diagnostics name the file, line and column.
    process.stderr.write(run.stderr);
    annotate("error", `prisma-xc could not read the schemas:\n${run.stderr.trim()}`);
    process.exit(1);
  }
  process.stderr.write(run.stderr);
  return run;
}

// Annotations: the runner reads them from the step's output.
process.stdout.write(xc("github").stdout);

const markdown = xc("markdown").stdout;
if (env.GITHUB_STEP_SUMMARY) fs.appendFileSync(env.GITHUB_STEP_SUMMARY, markdown + "\n");

if (env.XC_SARIF === "true") {
  const file = path.join(env.RUNNER_TEMP || ".", "prisma-xc.sarif");
  fs.writeFileSync(file, xc("sarif").stdout);
  output("sarif-file", file);
}

const checked = xc("json", ["--check"]);
const report = JSON.parse(checked.stdout);
output("verdict", report.verdict);
output("check-passes", String(report.checkPasses));
output("changes", String(report.summary.changes));
output("plan-phase", report.plan ? report.plan.phase : "");

async function comment() {
  if (env.XC_COMMENT === "false" || !env.XC_TOKEN || !env.GITHUB_EVENT_PATH) return;
  const event = JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH, "utf8"));
  const number = event.pull_request && event.pull_request.number;
  if (!number) return;
  const api = `${(env.GITHUB_API_URL || "https://api.github.com").replace(/\/$/, "")}/repos/${env.GITHUB_REPOSITORY}`;
  const headers = {
    Authorization: `Bearer ${env.XC_TOKEN}`,
    Accept: "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": "prisma-xc-action",
    "Content-Type": "application/json",
  };
  const call = async (method, url, body) => {
    const response = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
    if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  let existing;
  for (let page = 1; !existing; page++) {
    const comments = await call("GET", `${api}/issues/${number}/comments?per_page=100&page=${page}`);
    existing = comments.find((c) => typeof c.body === "string" && c.body.startsWith(MARKER));
    if (comments.length < 100) break;
  }
  if (existing) {
    await call("PATCH", `${api}/issues/comments/${existing.id}`, { body: markdown });
  } else if (report.summary.changes > 0) {
    // No comment on a pull request that does not change the schema's meaning.
    await call("POST", `${api}/issues/${number}/comments`, { body: markdown });
  }
}

try {
  await comment();
} catch (e) {
  // A fork's pull request gets a read-only token: the annotations and summary still stand.
  annotate("warning", `could not post the pull request comment: ${e.message}`);
}

process.exit(checked.status === 0 ? 0 : 1);
