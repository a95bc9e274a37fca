// The PostgreSQL driver adapter as Prisma's schema engine needs it for migrate deploy and
// migrate diff, for both harnesses (Prisma 6's config, Prisma 7's engine stand-in). Each passes
// its own packages: `PrismaPg` and node-postgres's `pg/lib/result` of the same install.
// - node-postgres has no parser for the catalog types "char" (oid 18), name (19) and name[]
//   (1003) that the schema describer reads: read them as text, and report "char" columns as
//   single characters, the type the describer expects for pg_constraint.contype.
// - Connection fields one by one: with a connection string the shadow database's pool would
//   connect to the main database.
// - A migration is one script sent as one simple-protocol query, as the native engine sends it
//   (the adapter would split it at every `;`, breaking function bodies).
'use strict'

function postgresForMigrate(PrismaPg, pgResult, url) {
  const asText = { 18: 25, 19: 25, 1003: 1009 }
  const charColumns = Symbol.for('prisma-xc.char-columns')
  if (!pgResult.prototype.__prismaXcPatched) {
    const addFields = pgResult.prototype.addFields
    pgResult.prototype.addFields = function (fields) {
      this.rows[charColumns] = fields.flatMap((f, i) => (f.dataTypeID === 18 ? [i] : []))
      for (const f of fields) if (asText[f.dataTypeID]) f.dataTypeID = asText[f.dataTypeID]
      return addFields.call(this, fields)
    }
    pgResult.prototype.__prismaXcPatched = true
  }
  const markChars = (queryable) => {
    const queryRaw = queryable.queryRaw.bind(queryable)
    queryable.queryRaw = async (q) => {
      const result = await queryRaw(q)
      for (const i of result.rows[charColumns] ?? []) result.columnTypes[i] = 6 // Character
      return result
    }
    return queryable
  }
  const wholeScripts = (adapter) => {
    adapter.executeScript = async (sql) => {
      await adapter.executeRaw({ sql, args: [], argTypes: [] })
    }
    return adapter
  }
  const u = new URL(url)
  const factory = new PrismaPg({
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    allowExitOnIdle: true,
    idleTimeoutMillis: 100,
  })
  for (const method of ['connect', 'connectToShadowDb']) {
    const connect = factory[method].bind(factory)
    factory[method] = async () => wholeScripts(markChars(await connect()))
  }
  return factory
}

module.exports = { postgresForMigrate }
