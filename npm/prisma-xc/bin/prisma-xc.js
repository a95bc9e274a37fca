#!/usr/bin/env node
// Starts the prisma-xc binary of this machine's platform, which npm installed as one of this
// package's optional dependencies (@prisma-xc/<platform>): the layout esbuild and Biome use.
// PRISMA_XC_BINARY names another binary to run instead.
"use strict";
const { spawnSync } = require("child_process");

function isMusl() {
  if (process.platform !== "linux") return false;
  try {
    // Node reports the glibc it runs on; a musl system has none.
    const report = process.report.getReport();
    return !(report.header && report.header.glibcVersionRuntime);
  } catch {
    return false;
  }
}

const platform =
  process.platform === "linux"
    ? `linux-${process.arch}-${isMusl() ? "musl" : "gnu"}`
    : `${process.platform}-${process.arch}`;
const packageName = `@prisma-xc/${platform}`;
const executable = process.platform === "win32" ? "prisma-xc.exe" : "prisma-xc";

let binary = process.env.PRISMA_XC_BINARY;
if (!binary) {
  try {
    binary = require.resolve(`${packageName}/bin/${executable}`);
  } catch {
    console.error(
      `prisma-xc: no binary for this platform (${platform}): the package ${packageName} is not installed.\n` +
        `  = help: install without --omit=optional (or --no-optional), or use a release archive\n` +
        `    (https://github.com/prisma-xc/prisma-xc/releases) or \`cargo install prisma-xc\`.`
    );
    process.exit(1);
  }
}

const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  console.error(`prisma-xc: could not start ${binary}: ${result.error.message}`);
  process.exit(1);
}
if (result.signal) {
  // Ended by a signal: end the same way, so the caller sees it.
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 1);
