// Offline stand-in for Prisma 7's native `schema-engine` binary, which Prisma's CLI downloads on
// first use (these machines cannot). It speaks the engine's JSON-RPC on stdio and does the work
// with the WebAssembly build of the same engine that the `prisma` package ships
// (build/schema_engine_bg.wasm; JS glue from @prisma/schema-engine-wasm of the matching engine
// commit) over a driver adapter: @prisma/adapter-pg for postgresql:// URLs, @prisma/adapter-libsql
// for file: URLs. Prisma runs it when PRISMA_SCHEMA_ENGINE_BINARY names ./schema-engine.
//
// Adjustments that make the adapters behave as the native engine does:
// - PostgreSQL: ../harness/pg-for-migrate.cjs (catalog types, shadow connection, whole scripts);
// - SQLite: the shadow database replays a whole script, and connections wait for the write
//   lock (../harness/sqlite-writers.cjs), as the native engine's busy timeout makes them, so
//   deploys and running applications take turns.
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.join(here, 'package.json'))
const { factoryWaitingForWrites } = require('../harness/sqlite-writers.cjs')
const { postgresForMigrate } = require('../harness/pg-for-migrate.cjs')

// The engine reports a panic through this registry before throwing a RuntimeError.
globalThis.PRISMA_WASM_PANIC_REGISTRY = {
  message: '',
  set_message(m) { this.message = 'RuntimeError: ' + m },
}

const argv = process.argv.slice(2)
if (argv.includes('--version')) {
  console.log('schema-engine-cli 59be4fda12412a79eeb9c2ae727b6aa723593323 (prisma-xc WebAssembly stand-in)')
  process.exit(0)
}
const datamodels = []
const positional = []
let datasource = {}
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--datamodels') datamodels.push(argv[++i])
  else if (argv[i] === '--datasource') datasource = JSON.parse(argv[++i])
  else positional.push(argv[i])
}
// `cli` subcommands (can-connect-to-database, create-database) come before migrate commands:
// the databases exist already in every test.
if (positional[0] === 'cli') process.exit(0)
const url = datasource.url ?? process.env.DATABASE_URL
if (!url) fail('no datasource url: set it in prisma.config.ts (datasource.url)')

function fail(message) {
  process.stderr.write(`schema-engine stand-in: ${message}\n`)
  process.exit(1)
}

function postgres() {
  const { PrismaPg } = require('@prisma/adapter-pg')
  const pgResult = require(require.resolve('pg/lib/result', { paths: [require.resolve('@prisma/adapter-pg')] }))
  const factory = postgresForMigrate(PrismaPg, pgResult, url)
  // Prisma 7's native engine splits a migration into its statements and sends them one by one
  // (each its own transaction) when it can parse them all, so that CREATE INDEX CONCURRENTLY
  // may share a file with other statements. The stand-in does the same, so that the tests
  // meet what a failure half-way leaves behind. XC_WHOLE_SCRIPTS=1 sends scripts whole.
  if (process.env.XC_WHOLE_SCRIPTS !== '1') {
    for (const method of ['connect', 'connectToShadowDb']) {
      const connect = factory[method].bind(factory)
      factory[method] = async () => {
        const adapter = await connect()
        adapter.executeScript = async (script) => {
          for (const sql of statements(script)) await adapter.executeRaw({ sql, args: [], argTypes: [] })
        }
        return adapter
      }
    }
  }
  return factory
}

// The statements of a PostgreSQL script: split at each `;` outside quotes, dollar quotes and
// comments; statements that hold only comments are left out.
function statements(script) {
  const out = []
  let start = 0
  let code = false
  let i = 0
  const push = (end) => {
    if (code) out.push(script.slice(start, end))
    start = end + 1
    code = false
  }
  while (i < script.length) {
    const c = script[i]
    const rest = script.slice(i)
    if (rest.startsWith('--')) {
      const end = script.indexOf('\n', i)
      i = end === -1 ? script.length : end + 1
    } else if (rest.startsWith('/*')) {
      let depth = 0
      do {
        if (script.startsWith('/*', i)) { depth++; i += 2 } else if (script.startsWith('*/', i)) { depth--; i += 2 } else i++
      } while (depth > 0 && i < script.length)
    } else if (c === "'" || c === '"') {
      code = true
      i++
      while (i < script.length) {
        if (script[i] === c && script[i + 1] === c) i += 2
        else if (script[i] === c) { i++; break } else i++
      }
    } else if (c === '$' && /^\$[A-Za-z_0-9]*\$/.test(rest) && !/[A-Za-z_0-9]/.test(script[i - 1] ?? '')) {
      const tag = rest.match(/^\$[A-Za-z_0-9]*\$/)[0]
      const end = script.indexOf(tag, i + tag.length)
      code = true
      i = end === -1 ? script.length : end + tag.length
    } else if (c === ';') {
      push(i)
      i++
    } else {
      if (!/\s/.test(c)) code = true
      i++
    }
  }
  push(script.length)
  return out
}

function sqlite() {
  const { PrismaLibSql } = require('@prisma/adapter-libsql')
  const factory = factoryWaitingForWrites(new PrismaLibSql({ url }))
  // The shadow database replays a whole migration file through executeRaw; libSQL would run
  // only its first statement.
  const connectToShadowDb = factory.connectToShadowDb.bind(factory)
  factory.connectToShadowDb = async () => {
    const adapter = await connectToShadowDb()
    const executeRaw = adapter.executeRaw.bind(adapter)
    adapter.executeRaw = async (q) => (q.args.length ? executeRaw(q) : (await adapter.executeScript(q.sql), 0))
    return adapter
  }
  return factory
}

const glue = await import(path.join(here, 'node_modules/@prisma/schema-engine-wasm/schema_engine_bg.js'))
const wasm = fs.readFileSync(path.join(here, 'node_modules/prisma/build/schema_engine_bg.wasm'))
const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { './schema_engine_bg.js': glue })
glue.__wbg_set_wasm(instance.exports)
instance.exports.__wbindgen_start()
const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils')
const adapter = bindMigrationAwareSqlAdapterFactory(url.startsWith('file:') ? sqlite() : postgres())
const files = datamodels.length
  ? datamodels.map((p) => [p, fs.readFileSync(p, 'utf8')])
  : [['stand-in.prisma', `datasource db {\n  provider = "${url.startsWith('file:') ? 'sqlite' : 'postgresql'}"\n}\n`]]
const engine = await glue.SchemaEngine.new({ datamodels: files }, (m) => process.stderr.write(String(m) + '\n'), adapter)

const send = (o) => process.stdout.write(JSON.stringify(o) + '\n')
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
let pending = Promise.resolve()
lines.on('line', (line) => {
  if (!line.trim()) return
  const request = JSON.parse(line)
  if (request.method === undefined) return // the CLI's answer to a print request
  pending = pending.then(async () => {
    try {
      const method = request.method === 'getDatabaseVersion' ? 'version' : request.method
      const result = await engine[method](request.params ?? {})
      // The native engine prints a script through a `print` request to the CLI.
      if (result && typeof result.stdout === 'string') {
        send({ jsonrpc: '2.0', id: 1000000 + request.id, method: 'print', params: { content: result.stdout } })
        result.stdout = null
      }
      send({ jsonrpc: '2.0', id: request.id, result: result ?? null })
    } catch (e) {
      const isPanic = e instanceof WebAssembly.RuntimeError
      const message = String(isPanic ? globalThis.PRISMA_WASM_PANIC_REGISTRY.message || e.message : e.message)
      send({ jsonrpc: '2.0', id: request.id, error: { code: 4466, message, data: { is_panic: isPanic, message, error_code: e.code, meta: e.meta } } })
    }
  })
})
lines.on('close', () => pending.then(() => process.exit(0)))
