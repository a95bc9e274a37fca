// yaml-to-json.cjs FILE: print the YAML file as JSON (exit 1 with the parser's message when it
// is not valid YAML): how the tests read action.yml and the workflows.
"use strict";
const fs = require("fs");
const YAML = require("yaml");
const doc = YAML.parseDocument(fs.readFileSync(process.argv[2], "utf8"), { prettyErrors: true });
if (doc.errors.length) {
  for (const e of doc.errors) console.error(String(e));
  process.exit(1);
}
console.log(JSON.stringify(doc.toJS()));
