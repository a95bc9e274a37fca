// The GitHub Action's first step: put prisma-xc on the job's PATH.
//
// XC_INSTALL=release (default): the release archive of this runner's platform, its SHA-256
// checked against the release's .sha256 file. XC_INSTALL=npm: the npm package (which brings the
// same binary as an optional dependency). XC_VERSION: a version (0.1.0, v0.1.0) or `latest`.
// XC_RELEASES and XC_API name other servers (a mirror, or the tests' stand-in for GitHub).
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const env = process.env;
const repository = "prisma-xc/prisma-xc";
const releases = (env.XC_RELEASES || `https://github.com/${repository}/releases`).replace(/\/$/, "");
const api = (env.XC_API || env.GITHUB_API_URL || "https://api.github.com").replace(/\/$/, "");
const temp = env.RUNNER_TEMP || fs.mkdtempSync(path.join(process.env.TMPDIR || "/tmp", "prisma-xc-"));

function fail(message) {
  // A workflow command: the runner shows it as the step's error.
  console.log(`::error title=prisma-xc install::${message.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}`);
  process.exit(1);
}

function target() {
  const arch = { x64: "x86_64", arm64: "aarch64" }[process.arch];
  const os = { linux: "unknown-linux-gnu", darwin: "apple-darwin", win32: "pc-windows-msvc" }[process.platform];
  if (!arch || !os || (process.platform === "win32" && arch !== "x86_64")) {
    fail(`no release archive for ${process.platform} ${process.arch}: use install: npm, or cargo install prisma-xc`);
  }
  return `${arch}-${os}`;
}

async function get(url, what) {
  const headers = { "User-Agent": "prisma-xc-action" };
  if (env.XC_TOKEN && url.startsWith(api)) headers.Authorization = `Bearer ${env.XC_TOKEN}`;
  let response;
  try {
    response = await fetch(url, { headers, redirect: "follow" });
  } catch (e) {
    fail(`could not download ${what} (${url}): ${e.message}`);
  }
  if (!response.ok) fail(`could not download ${what} (${url}): HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

async function version() {
  const wanted = (env.XC_VERSION || "latest").trim();
  if (wanted !== "latest") return wanted.replace(/^v/, "");
  const latest = JSON.parse(await get(`${api}/repos/${repository}/releases/latest`, "the latest release"));
  return String(latest.tag_name).replace(/^v/, "");
}

function addToPath(dir) {
  if (env.GITHUB_PATH) fs.appendFileSync(env.GITHUB_PATH, `${dir}\n`);
  if (env.GITHUB_OUTPUT) fs.appendFileSync(env.GITHUB_OUTPUT, `bin-dir=${dir}\n`);
  console.log(`prisma-xc installed in ${dir}`);
}

async function fromRelease(v) {
  const t = target();
  const archive = `prisma-xc-${v}-${t}.${t.includes("windows") ? "zip" : "tar.gz"}`;
  const base = `${releases}/download/v${v}`;
  const bytes = await get(`${base}/${archive}`, archive);
  const expected = (await get(`${base}/${archive}.sha256`, `${archive}.sha256`)).toString("utf8").trim().split(/\s+/)[0];
  const actual = crypto.createHash("sha256").update(bytes).digest("hex");
  if (actual !== expected) fail(`${archive}: its SHA-256 is ${actual}, the release says ${expected}: not installed`);
  const dir = path.join(temp, `prisma-xc-${v}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, archive);
  fs.writeFileSync(file, bytes);
  // bsdtar (Windows, macOS) reads zip archives too.
  execFileSync("tar", ["-xf", file, "-C", dir], { stdio: "inherit" });
  fs.rmSync(file);
  addToPath(path.join(dir, `prisma-xc-${v}-${t}`));
}

function fromNpm(v) {
  const dir = path.join(temp, `prisma-xc-npm-${v}`);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", `prisma-xc@${v}`], { stdio: "inherit" });
  addToPath(path.join(dir, "node_modules", ".bin"));
}

const v = await version();
if ((env.XC_INSTALL || "release") === "npm") fromNpm(v);
else await fromRelease(v);
