#!/usr/bin/env node
// npm-pack.mjs: build the npm packages of a release and `npm pack` them.
//
//   node scripts/npm-pack.mjs --out DIR --binary TARGET=PATH [--binary TARGET=PATH ...]
//
// TARGET is a Rust target triple (x86_64-unknown-linux-gnu, aarch64-apple-darwin, ...), PATH
// the prisma-xc binary built for it. Writes DIR/prisma-xc-VERSION.tgz, the main package (its
// `bin` starts the binary of the platform it runs on), and one DIR/prisma-xc-PLATFORM-VERSION.tgz
// per binary, the package @prisma-xc/PLATFORM that npm installs only on that platform (its `os`,
// `cpu` and `libc`). The version is Cargo.toml's. The release workflow runs it with every
// target; the tests run it with this machine's binary.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// Every platform the main package knows, by target triple.
export const PLATFORMS = {
  "x86_64-unknown-linux-gnu": { name: "linux-x64-gnu", os: "linux", cpu: "x64", libc: "glibc" },
  "x86_64-unknown-linux-musl": { name: "linux-x64-musl", os: "linux", cpu: "x64", libc: "musl" },
  "aarch64-unknown-linux-gnu": { name: "linux-arm64-gnu", os: "linux", cpu: "arm64", libc: "glibc" },
  "aarch64-unknown-linux-musl": { name: "linux-arm64-musl", os: "linux", cpu: "arm64", libc: "musl" },
  "x86_64-apple-darwin": { name: "darwin-x64", os: "darwin", cpu: "x64" },
  "aarch64-apple-darwin": { name: "darwin-arm64", os: "darwin", cpu: "arm64" },
  "x86_64-pc-windows-msvc": { name: "win32-x64", os: "win32", cpu: "x64", exe: ".exe" },
};

function fail(message) {
  console.error(`npm-pack: ${message}`);
  process.exit(2);
}

function cargoVersion() {
  const manifest = fs.readFileSync(path.join(root, "Cargo.toml"), "utf8");
  const pkg = manifest.split(/^\[/m).find((s) => s.startsWith("package]"));
  const version = pkg && pkg.match(/^version\s*=\s*"([^"]+)"/m);
  if (!version) fail("Cargo.toml has no [package] version");
  return version[1];
}

function pack(dir, out) {
  const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], {
    cwd: dir,
    encoding: "utf8",
  }).trim().split("\n").pop();
  return path.join(out, name);
}

function main(argv) {
  let out;
  const binaries = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = argv[++i];
    else if (argv[i] === "--binary") {
      const [target, file] = (argv[++i] || "").split("=");
      if (!PLATFORMS[target]) fail(`unknown target ${JSON.stringify(target)}: one of ${Object.keys(PLATFORMS).join(", ")}`);
      if (!file || !fs.existsSync(file)) fail(`--binary ${target}=${file}: no such file`);
      binaries.push([target, path.resolve(file)]);
    } else fail(`unknown argument ${JSON.stringify(argv[i])}\n  usage: npm-pack.mjs --out DIR --binary TARGET=PATH ...`);
  }
  if (!out || binaries.length === 0) fail("usage: npm-pack.mjs --out DIR --binary TARGET=PATH ...");
  out = path.resolve(out);
  const version = cargoVersion();
  const work = path.join(out, "packages");
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const licenses = ["LICENSE-MIT", "LICENSE-APACHE"];
  const tarballs = [];

  for (const [target, file] of binaries) {
    const p = PLATFORMS[target];
    const dir = path.join(work, p.name);
    fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
    const exe = `prisma-xc${p.exe || ""}`;
    fs.copyFileSync(file, path.join(dir, "bin", exe));
    fs.chmodSync(path.join(dir, "bin", exe), 0o755);
    for (const l of licenses) fs.copyFileSync(path.join(root, l), path.join(dir, l));
    const manifest = {
      name: `@prisma-xc/${p.name}`,
      version,
      description: `The prisma-xc binary for ${target} (installed by the prisma-xc package)`,
      license: "MIT OR Apache-2.0",
      repository: { type: "git", url: "git+https://github.com/prisma-xc/prisma-xc.git" },
      os: [p.os],
      cpu: [p.cpu],
      ...(p.libc ? { libc: [p.libc] } : {}),
      files: [`bin/${exe}`, ...licenses],
      preferUnplugged: true,
    };
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
    tarballs.push(pack(dir, out));
  }

  const main = path.join(work, "prisma-xc");
  fs.cpSync(path.join(root, "npm", "prisma-xc"), main, { recursive: true });
  for (const l of licenses) fs.copyFileSync(path.join(root, l), path.join(main, l));
  const manifest = JSON.parse(fs.readFileSync(path.join(main, "package.json"), "utf8"));
  manifest.version = version;
  manifest.optionalDependencies = Object.fromEntries(
    Object.values(PLATFORMS).map((p) => [`@prisma-xc/${p.name}`, version])
  );
  fs.writeFileSync(path.join(main, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  tarballs.unshift(pack(main, out));
  for (const t of tarballs) console.log(t);
}

main(process.argv.slice(2));
