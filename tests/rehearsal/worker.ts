// One application instance of a rehearsal (tests/rehearsal.rs): a Prisma Client generated from
// one version's schema, running a continuous mix of queries until the stop file appears. What
// it queries comes from a workload file written by the test (JSON):
//
//   { "model": "user", "create": { "id": "$n", "user_name": "$s" }, "update": { ... },
//     "checks": ["user_name"], "key": ["id"], "ledger": ["id"], "upsertBy": "email",
//     "include": "posts" }
//
// In `create` and `update`, "$s" inside a string becomes a text unique to this instance and
// round, "$n" alone a number unique to them ("$n:K" another one, for the K-th parent created
// nested), and "$u" alone a new UUID. `key` names the fields of the model's
// primary key (default `id`), `ledger` the fields the summary names a row by (default the key:
// another where the key changes with the plan). Every Prisma error is a failed query, and a read that does not
// give back a `checks` field this instance just wrote is a wrong read. At the end it writes a
// JSON summary: queries run, failed queries, wrong reads, and the rows it owns (key -> first
// checked value it last wrote). Once its first round has run it creates READY_FILE: the
// rehearsal goes on only then, as a rolling deploy waits for an instance's readiness probe.
//
//   tsx worker.ts CLIENT_DIR WORKLOAD TAG BASE STOP_FILE OUT_FILE READY_FILE
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const [clientDir, workloadFile, tag, base, stopFile, outFile, readyFile] = process.argv.slice(2);
const url = process.env.DATABASE_URL!;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PrismaClient } = require(path.join(clientDir, "client"));
// Several instances write one SQLite file at once: each waits for the write lock (see
// tests/harness/sqlite-writers.cjs, copied beside this file).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { factoryWaitingForWrites } = require("./sqlite-writers.cjs");
// MySQL and MariaDB through the mariadb driver, configured from the URL's parts.
function mariadb(url: string) {
  const u = new URL(url);
  return new PrismaMariaDb({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    connectionLimit: 5,
  });
}
const prisma = new PrismaClient({
  adapter: url.startsWith("file:")
    ? factoryWaitingForWrites(new PrismaLibSQL({ url }))
    : url.startsWith("mysql:")
      ? mariadb(url)
      : new PrismaPg({ connectionString: url }),
});

interface Workload {
  model: string;
  create: Record<string, unknown>;
  update: Record<string, unknown>;
  checks: string[];
  key?: string[];
  ledger?: string[];
  upsertBy?: string;
  include?: string;
  // false when a create nests its parents' creates, which createMany cannot.
  createMany?: boolean;
}
type Row = Record<string, unknown>;

const workload: Workload = JSON.parse(readFileSync(workloadFile, "utf8"));
const delegate = prisma[workload.model];
const keyFields = workload.key ?? ["id"];
const owned = new Map<string, unknown>();
const failures: string[] = [];
const wrongReads: string[] = [];
let queries = 0;
// The slowest query after the first round (which opens the connections): [milliseconds, which].
let slowest: [number, string] = [0, ""];
let warm = false;

function fill(template: Record<string, unknown>, i: number, suffix = ""): Row {
  const out: Row = {};
  for (const [field, value] of Object.entries(template)) {
    if (value === "$n") out[field] = Number(base) + i;
    // The k-th parent created nested in the same row: a number apart from the row's own.
    else if (typeof value === "string" && /^\$n:\d+$/.test(value)) out[field] = Number(base) + i + 20_000_000 * Number(value.slice(3));
    else if (value === "$u") out[field] = randomUUID();
    else if (typeof value === "string") out[field] = value.replaceAll("$s", `${tag}-${i}${suffix}`);
    // A nested create (a parent the row needs) is filled the same way.
    else if (value && typeof value === "object" && !Array.isArray(value)) out[field] = fill(value as Record<string, unknown>, i, suffix);
    else out[field] = value;
  }
  return out;
}

function where(row: Row): Row {
  if (keyFields.length === 1) return { [keyFields[0]]: row[keyFields[0]] };
  return { [keyFields.join("_")]: Object.fromEntries(keyFields.map((f) => [f, row[f]])) };
}

// updateMany filters by fields: no compound-key name there.
const whereFields = (row: Row): Row => Object.fromEntries(keyFields.map((f) => [f, row[f]]));

const ledgerFields = workload.ledger ?? keyFields;
const keyOf = (row: Row): string => ledgerFields.map((f) => String(row[f])).join("/");

// On MySQL, a transaction that reads a table and then writes it while a migration waits for
// the table's metadata lock is the deadlock's victim (P2034): the application retries it, as
// Prisma's documentation and PLAN.md say. XC_RETRY_DEADLOCKS=1 does so; each is counted.
const retryDeadlocks = process.env.XC_RETRY_DEADLOCKS === "1";
let retried = 0;

async function run<T>(what: string, query: () => Promise<T>): Promise<T | undefined> {
  const started = Date.now();
  try {
    let result: T;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await query();
        break;
      } catch (error) {
        if (!retryDeadlocks || attempt >= 3 || (error as { code?: string }).code !== "P2034") throw error;
        retried++;
      }
    }
    queries++;
    const took = Date.now() - started;
    if (warm && took > slowest[0]) slowest = [took, what];
    return result;
  } catch (error) {
    failures.push(`${tag} ${what} at ${new Date().toISOString().slice(11, 23)}: ${String(error).split("\n").slice(-3).join(" ")}`);
    return undefined;
  }
}

function compare(what: string, row: Row | null | undefined, wrote: Row): void {
  if (!row) return;
  for (const field of workload.checks) {
    if (field in wrote && String(row[field]) !== String(wrote[field])) {
      wrongReads.push(`${tag} wrong read after ${what}: ${field} = ${String(row[field])}, wrote ${String(wrote[field])}`);
    }
  }
}

async function round(i: number): Promise<void> {
  const data = fill(workload.create, i);
  const created = (await run("create", () => delegate.create({ data }))) as Row | undefined;
  if (!created) return;
  const at = where(created);
  const first = workload.checks[0];
  owned.set(keyOf(created), first ? data[first] : null);
  compare("create", (await run("findUnique", () => delegate.findUnique({ where: at }))) as Row | null, data);
  const update = fill(workload.update, i, "-upd");
  if (Object.keys(update).length > 0) {
    if (await run("update", () => delegate.update({ where: at, data: update }))) {
      if (first && first in update) owned.set(keyOf(created), update[first]);
      compare("update", (await run("findUnique", () => delegate.findUnique({ where: at }))) as Row | null, update);
    }
    const many = (await run("updateMany", () => delegate.updateMany({ where: whereFields(created), data: update }))) as { count: number } | undefined;
    if (many && many.count > 0 && first && first in update) owned.set(keyOf(created), update[first]);
  }
  if (i % 5 === 0 && workload.createMany !== false) {
    // Rows whose keys the workload writes are owned; generated keys are not known here.
    const rows = [fill(workload.create, 500_000 + 2 * i), fill(workload.create, 500_001 + 2 * i)];
    const made = (await run("createMany", () => delegate.createMany({ data: rows }))) as { count: number } | undefined;
    if (made && made.count !== rows.length) wrongReads.push(`${tag} createMany wrote ${made.count} of ${rows.length} rows`);
    if (made && ledgerFields.every((f) => f in rows[0])) for (const row of rows) owned.set(keyOf(row), first ? row[first] : null);
  }
  if (workload.upsertBy) {
    const by = workload.upsertBy;
    const upsertData = fill(workload.create, 900_000 + (i % 5));
    await run("upsert", () =>
      delegate.upsert({ where: { [by]: upsertData[by] }, create: upsertData, update: fill(workload.update, 900_000 + (i % 5)) }),
    );
  }
  await run("findMany", () =>
    delegate.findMany({
      take: 20,
      orderBy: keyFields.map((f) => ({ [f]: "desc" })),
      ...(workload.include ? { include: { [workload.include]: true } } : {}),
    }),
  );
  await run("count", () => delegate.count());
  if (i % 7 === 0 && (await run("delete", () => delegate.delete({ where: at })))) owned.delete(keyOf(created));
}

function summary(extra: string[] = []): string {
  return JSON.stringify({ tag, queries, retried, failures, wrongReads: [...wrongReads, ...extra], slowest, owned: [...owned.entries()] });
}

async function main(): Promise<void> {
  let i = 1;
  while (!existsSync(stopFile)) {
    await round(i++);
    if (!warm) writeFileSync(readyFile, "");
    warm = true;
  }
  writeFileSync(outFile, summary());
  await prisma.$disconnect();
}

main().catch((error) => {
  writeFileSync(outFile, summary([`${tag} stopped: ${String(error)}`]));
  process.exit(1);
});
