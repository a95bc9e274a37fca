// Prisma config for prisma-xc's test harness: the WebAssembly schema engine (engine 'js') over a
// driver adapter, because the native engine cannot be downloaded here. Adjustments make the
// adapters behave as the native engine does for migrate deploy and migrate diff
// (pg-for-migrate.cjs for PostgreSQL, below for SQLite).
import { defineConfig } from 'prisma/config'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaLibSQL } from '@prisma/adapter-libsql'
import { createRequire } from 'node:module'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { factoryWaitingForWrites } = require('./sqlite-writers.cjs')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { postgresForMigrate } = require('./pg-for-migrate.cjs')

const url = process.env.DATABASE_URL!

function postgres() {
  const pgResult = createRequire(require.resolve('@prisma/adapter-pg'))('pg/lib/result')
  return postgresForMigrate(PrismaPg, pgResult, url)
}

function sqlite() {
  // (3') The shadow database replays a whole migration file through executeRaw; libSQL would
  // run only its first statement.
  // (4) Applications write while a migration runs (the rehearsals): wait for the database's
  // write lock as the native engine does, instead of failing at once with SQLITE_BUSY.
  const factory: any = factoryWaitingForWrites(new PrismaLibSQL({ url }))
  const connectToShadowDb = factory.connectToShadowDb.bind(factory)
  factory.connectToShadowDb = async () => {
    const adapter: any = await connectToShadowDb()
    const executeRaw = adapter.executeRaw.bind(adapter)
    adapter.executeRaw = async (q: any) => (q.args.length ? executeRaw(q) : (await adapter.executeScript(q.sql), 0))
    return adapter
  }
  return factory
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: process.env.XC_SCHEMA ?? 'schema.prisma',
  async adapter() {
    return url.startsWith('file:') ? sqlite() : postgres()
  },
})
