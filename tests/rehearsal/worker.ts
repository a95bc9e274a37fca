// One application instance of a rehearsal (tests/rehearsal.rs): a Prisma Client generated from
// one version's schema, running a continuous mix of queries against the bundled example's
// models until the stop file appears. Every acknowledged write goes into its ledger; every
// error Prisma raises, and every read that does not give back what this instance wrote, is a
// failure. At the end it writes a JSON summary: queries run, failures, and the rows it owns.
//
//   tsx worker.ts CLIENT_DIR NAME_FIELD TAG STOP_FILE OUT_FILE
import { PrismaPg } from "@prisma/adapter-pg";
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const [clientDir, nameField, tag, stopFile, outFile] = process.argv.slice(2);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PrismaClient } = require(path.join(clientDir, "client"));
const prisma = new PrismaClient({
  adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }),
});

type Row = Record<string, unknown>;
const owned = new Map<number, string>();
const failures: string[] = [];
let queries = 0;

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

async function round(i: number): Promise<void> {
  const email = `${tag}-${i}@example.org`;
  const name = `${tag}-${i}`;
  const user = (await run("create", () =>
    prisma.user.create({
      data: { email, [nameField]: name, posts: { create: [{ title: `post ${i}` }] } },
    }),
  )) as Row | undefined;
  if (!user) return;
  const id = user.id as number;
  owned.set(id, name);
  const back = (await run("findUnique", () => prisma.user.findUnique({ where: { id } }))) as Row | null;
  if (back && back[nameField] !== name) failures.push(`${tag} wrong read of ${id}: ${String(back[nameField])} for ${name}`);
  const renamed = `${name}-renamed`;
  if (await run("update", () => prisma.user.update({ where: { id }, data: { [nameField]: renamed } }))) {
    owned.set(id, renamed);
  }
  await run("updateMany", () => prisma.user.updateMany({ where: { email }, data: { [nameField]: renamed } }));
  const shared = `${tag}-upsert-${i % 5}@example.org`;
  const upserted = (await run("upsert", () =>
    prisma.user.upsert({
      where: { email: shared },
      create: { email: shared, [nameField]: `upsert-${i}` },
      update: { [nameField]: `upsert-${i}` },
    }),
  )) as Row | undefined;
  if (upserted) owned.set(upserted.id as number, `upsert-${i}`);
  const many = (await run("findMany", () =>
    prisma.user.findMany({ take: 20, orderBy: { id: "desc" }, include: { posts: true } }),
  )) as Row[] | undefined;
  for (const row of many ?? []) {
    if (row[nameField] === null || row[nameField] === undefined) failures.push(`${tag} ${nameField} of ${String(row.id)} read as null`);
  }
  await run("count", () => prisma.user.count());
  await run("post findMany", () => prisma.post.findMany({ take: 5, orderBy: { id: "desc" }, include: { author: true } }));
  if (i % 7 === 0) {
    await run("post deleteMany", () => prisma.post.deleteMany({ where: { authorId: id } }));
    if (await run("delete", () => prisma.user.delete({ where: { id } }))) owned.delete(id);
  }
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
