// SQLite lets one connection write at a time. An application with several instances on one
// database file (a rolling deploy), and a migration deployed while they run, need every
// connection to wait for the write lock instead of failing with SQLITE_BUSY. libSQL, under
// Prisma's adapter, does not make that possible on its own:
// - a busy timeout is a setting of one connection, and libSQL opens a fresh connection (with
//   none) each time it hands its current one to a transaction;
// - Prisma's transactions begin DEFERRED: they read, then upgrade to a write, and SQLite refuses
//   that upgrade at once (no waiting: it would deadlock) while another connection writes;
// - a COMMIT that fails with SQLITE_BUSY leaves the transaction open, and Prisma does not roll
//   it back: the connection keeps the write lock until the process ends.
// `waitForWrites(adapter)` fixes the three on the adapter a PrismaLibSQL factory connects:
// every connection waits up to `ms` for the lock, transactions begin IMMEDIATE (they take the
// write lock first, waiting for it), and a failed commit rolls back.
'use strict'

function waitForWrites(adapter, ms = 30000) {
  const client = adapter.client
  const execute = client.execute.bind(client)
  const executeMultiple = client.executeMultiple.bind(client)
  const transaction = client.transaction.bind(client)
  let fresh = true
  const ready = async () => {
    if (!fresh) return
    fresh = false
    await execute(`PRAGMA busy_timeout = ${Number(ms)}`)
  }
  client.execute = async (stmt, args) => {
    await ready()
    return execute(stmt, args)
  }
  client.executeMultiple = async (sql) => {
    await ready()
    return executeMultiple(sql)
  }
  client.transaction = async () => {
    await ready()
    const tx = await transaction('write')
    fresh = true
    const commit = tx.commit.bind(tx)
    tx.commit = async () => {
      try {
        return await commit()
      } catch (error) {
        tx.close()
        throw error
      }
    }
    return tx
  }
  return adapter
}

// The same for every adapter a PrismaLibSQL factory connects (the main one and the shadow).
function factoryWaitingForWrites(factory, ms) {
  for (const method of ['connect', 'connectToShadowDb']) {
    if (typeof factory[method] !== 'function') continue
    const connect = factory[method].bind(factory)
    factory[method] = async () => waitForWrites(await connect(), ms)
  }
  return factory
}

module.exports = { waitForWrites, factoryWaitingForWrites }
