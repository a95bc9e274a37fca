// The WebAssembly engine arms a long timer it never clears, which keeps every CLI call alive
// for ~10 s after its work is done. Long timers are unref'd so the process exits on time.
const setTimeoutOriginal = global.setTimeout
global.setTimeout = function (fn, ms, ...args) {
  const t = setTimeoutOriginal.call(this, fn, ms, ...args)
  if (ms >= 10000 && t && t.unref) t.unref()
  return t
}
