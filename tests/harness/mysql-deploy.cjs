// `prisma migrate deploy` for MySQL and MariaDB, as the native schema engine does it: the
// WebAssembly schema engine of Prisma 6.19.3 and 7.10 has no MySQL connector, and the native
// engine cannot be downloaded here. What it does (prisma-engines, schema-engine's
// `apply_migrations` and the MySQL flavour): create `_prisma_migrations` as Prisma creates it;
// refuse while a migration has failed and is not marked rolled back (P3009); apply each folder
// not applied yet, in order, sending its script whole as one multi-statement query, recording
// it before (started) and after (finished, applied_steps_count 1); on an error record the logs
// and stop.
//
//   node mysql-deploy.cjs URL MIGRATIONS_DIR
//   node mysql-deploy.cjs --script URL FILE   one migration.sql sent whole, nothing recorded
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const mariadb = require('mariadb')

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`

async function main() {
  const args = process.argv.slice(2)
  const scriptOnly = args[0] === '--script'
  const [url, dir] = scriptOnly ? args.slice(1) : args
  if (!url || !dir) {
    console.error('usage: node mysql-deploy.cjs [--script] URL MIGRATIONS_DIR|FILE')
    process.exit(2)
  }
  const u = new URL(url)
  const conn = await mariadb.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    multipleStatements: true,
  })
  try {
    if (scriptOnly) {
      const script = fs.readFileSync(dir, 'utf8')
      if (script.trim()) await conn.query(script)
      return
    }
    await conn.query(MIGRATIONS_TABLE)
    const rows = await conn.query('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations')
    const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null)
    if (failed.length) {
      console.error(`Error: P3009\n\nmigrate found failed migrations in the target database, new migrations will not be applied.\nThe \`${failed[0].migration_name}\` migration started at ... failed`)
      process.exit(1)
    }
    const applied = new Set(rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name))
    const folders = fs.existsSync(dir)
      ? fs.readdirSync(dir).filter((f) => fs.existsSync(path.join(dir, f, 'migration.sql'))).sort()
      : []
    let count = 0
    for (const folder of folders) {
      if (applied.has(folder)) continue
      const script = fs.readFileSync(path.join(dir, folder, 'migration.sql'), 'utf8')
      const id = crypto.randomUUID()
      const checksum = crypto.createHash('sha256').update(script).digest('hex')
      await conn.query('INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES (?, ?, ?, NOW(3))', [id, checksum, folder])
      try {
        if (script.trim()) await conn.query(script)
      } catch (e) {
        const logs = `${e.message}`
        await conn.query('UPDATE _prisma_migrations SET logs = ? WHERE id = ?', [logs, id])
        console.error(`Error: P3018\n\nA migration failed to apply. New migrations cannot be applied before the error is recovered from.\n\nMigration name: ${folder}\n\nDatabase error code: ${e.errno}\n\nDatabase error:\n${logs}\nmigration_name="${folder}"`)
        process.exit(1)
      }
      await conn.query('UPDATE _prisma_migrations SET finished_at = NOW(3), applied_steps_count = 1 WHERE id = ?', [id])
      count++
    }
    console.log(count ? `${count} migrations applied` : 'No pending migrations to apply.')
  } finally {
    await conn.end()
  }
}

main().catch((e) => {
  console.error(e.message)
  process.exit(1)
})
