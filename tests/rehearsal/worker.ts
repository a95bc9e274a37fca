// One application instance of a rehearsal (tests/rehearsal.rs): a Prisma Client generated from
// one version's schema, running a continuous mix of queries until the stop file appears. What
// it queries comes from a workload file written by the test (JSON):
//
//   { "model": "user", "create": { "id": "$n", "user_name": "$s" }, "update": { ... },
//     "checks": ["user_name"], "upsertBy": "email", "include": "posts" }
//
// In `create` and `update`, "$s" inside a string becomes a text unique to this instance and
// round, and "$n" alone a number unique to them. Every Prisma error is a failure, and so is a
// read that does not give back a `checks` field this instance just wrote. At the end it writes
// a JSON summary: queries run, failures, and the rows it owns (key -> first checked value).
//
//   tsx worker.ts CLIENT_DIR WORKLOAD TAG BASE STOP_FILE OUT_FILE
import { PrismaPg } from "@prisma/adapter-pg";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const [clientDir, workloadFile, tag, base, stopFile, outFile] = process.argv.slice(2);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PrismaClient } = require(path.join(clientDir, "client"));
const prisma = new PrismaClient({
  adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }),
});

interface Workload {
  model: string;
  create: Record<string, unknown>;
  update: Record<string, unknown>;
  checks: string[];
  upsertBy?: string;
  include?: string;
}
type Row = Record<string, unknown>;

const workload: Workload = JSON.parse(readFileSync(workloadFile, "utf8"));
const delegate = prisma[workload.model];
const owned = new Map<string, unknown>();
const failures: string[] = [];
let queries = 0;

function fill(template: Record<string, unknown>, i: number, suffix = ""): Row {
  const out: Row = {};
  for (const [field, value] of Object.entries(template)) {
    if (value === "$n") out[field] = Number(base) + i;
    else if (typeof value === "string") out[field] = value.replaceAll("$s", `${tag}-${i}${suffix}`);
    else out[field] = value;
  }
  return out;
}

async function run<T>(what: string, query: () => Promise<T>): Promise<T | undefined> {
  try {
    const result = await query();
    queries++;
    return result;
  } catch (error) {
    failures.push(`${tag} ${what}: ${String(error).split("\n").slice(-3).join(" ")}`);
    return undefined;
  }
}

function compare(what: string, row: Row | null | undefined, wrote: Row): void {
  if (!row) return;
  for (const field of workload.checks) {
    if (field in wrote && String(row[field]) !== String(wrote[field])) {
      failures.push(`${tag} wrong read after ${what}: ${field} = ${String(row[field])}, wrote ${String(wrote[field])}`);
    }
  }
}

async function round(i: number): Promise<void> {
  const data = fill(workload.create, i);
  const created = (await run("create", () => delegate.create({ data }))) as Row | undefined;
  if (!created) return;
  const key = created.id;
  const first = workload.checks[0];
  owned.set(String(key), first ? data[first] : null);
  compare("create", (await run("findUnique", () => delegate.findUnique({ where: { id: key } }))) as Row | null, data);
  const update = fill(workload.update, i, "-upd");
  if (Object.keys(update).length > 0) {
    if (await run("update", () => delegate.update({ where: { id: key }, data: update }))) {
      if (first && first in update) owned.set(String(key), update[first]);
      compare("update", (await run("findUnique", () => delegate.findUnique({ where: { id: key } }))) as Row | null, update);
    }
    await run("updateMany", () => delegate.updateMany({ where: { id: key }, data: update }));
  }
  if (workload.upsertBy) {
    const by = workload.upsertBy;
    const upsertData = fill(workload.create, 900_000 + (i % 5));
    await run("upsert", () =>
      delegate.upsert({ where: { [by]: upsertData[by] }, create: upsertData, update: fill(workload.update, 900_000 + (i % 5)) }),
    );
  }
  await run("findMany", () =>
    delegate.findMany({ take: 20, orderBy: { id: "desc" }, ...(workload.include ? { include: { [workload.include]: true } } : {}) }),
  );
  await run("count", () => delegate.count());
  if (i % 7 === 0 && (await run("delete", () => delegate.delete({ where: { id: key } })))) owned.delete(String(key));
}

async function main(): Promise<void> {
  let i = 1;
  while (!existsSync(stopFile)) {
    await round(i++);
  }
  writeFileSync(outFile, JSON.stringify({ tag, queries, failures, owned: [...owned.entries()] }));
  await prisma.$disconnect();
}

main().catch((error) => {
  writeFileSync(outFile, JSON.stringify({ tag, queries, failures: [...failures, String(error)], owned: [] }));
  process.exit(1);
});
