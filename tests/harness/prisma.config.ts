// Prisma config for prisma-xc's test harness: the WebAssembly schema engine (engine 'js') over a
// driver adapter, because the native engine cannot be downloaded here. Four adjustments make
// the adapters behave as the native engine does for migrate deploy and migrate diff.
import { defineConfig } from 'prisma/config'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaLibSQL } from '@prisma/adapter-libsql'
import { createRequire } from 'node:module'
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { factoryWaitingForWrites } = require('./sqlite-writers.cjs')

const url = process.env.DATABASE_URL!

function postgres() {
  // (1) node-postgres has no parser for the catalog types "char" (oid 18), name (19) and
  // name[] (1003) that the schema describer reads: read them as text, and report "char"
  // columns as single characters, the type the describer expects for pg_constraint.contype.
  const pgResult = createRequire(require.resolve('@prisma/adapter-pg'))('pg/lib/result')
  const asText: Record<number, number> = { 18: 25, 19: 25, 1003: 1009 }
  const charColumns = Symbol.for('prisma-xc.char-columns')
  if (!pgResult.prototype.__prismaXcPatched) {
    const addFields = pgResult.prototype.addFields
    pgResult.prototype.addFields = function (fields: any[]) {
      this.rows[charColumns] = fields.flatMap((f, i) => (f.dataTypeID === 18 ? [i] : []))
      for (const f of fields) if (asText[f.dataTypeID]) f.dataTypeID = asText[f.dataTypeID]
      return addFields.call(this, fields)
    }
    pgResult.prototype.__prismaXcPatched = true
  }
  const markChars = (queryable: any) => {
    const queryRaw = queryable.queryRaw.bind(queryable)
    queryable.queryRaw = async (q: any) => {
      const result = await queryRaw(q)
      for (const i of result.rows[charColumns] ?? []) result.columnTypes[i] = 6 // Character
      return result
    }
    return queryable
  }
  // (2) Connection fields one by one: with a connection string the shadow database's pool
  // would connect to the main database.
  const u = new URL(url)
  const factory: any = new PrismaPg({
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    allowExitOnIdle: true,
    idleTimeoutMillis: 100,
  })
  const connectToShadowDb = factory.connectToShadowDb.bind(factory)
  factory.connectToShadowDb = async () => markChars(await connectToShadowDb())
  // (3) A migration is one script sent as one simple-protocol query, as the native engine
  // sends it (the adapter would split it at every `;`, breaking function bodies).
  const connect = factory.connect.bind(factory)
  factory.connect = async () => {
    const adapter: any = markChars(await connect())
    adapter.executeScript = async (sql: string) => {
      await adapter.executeRaw({ sql, args: [], argTypes: [] })
    }
    return adapter
  }
  return factory
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
