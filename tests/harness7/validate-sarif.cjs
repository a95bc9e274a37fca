// validate-sarif.cjs LOG.json: exit 0 when the file is a valid SARIF 2.1.0 log, else print why
// and exit 1. The schema is the published one (2.1.0-rtm.5, as json.schemastore.org serves it),
// from @microsoft/jest-sarif, validated the way that package does (Ajv 6, draft-04).
"use strict";
const fs = require("fs");
const path = require("path");
const jestSarif = path.dirname(require.resolve("@microsoft/jest-sarif/package.json"));
const from = { paths: [jestSarif] };
const Ajv = require(require.resolve("ajv", from));
const ajv = new Ajv({ schemaId: "auto", allErrors: true, validateSchema: false });
ajv.addMetaSchema(require(require.resolve("ajv/lib/refs/json-schema-draft-04.json", from)));
const schema = require(path.join(jestSarif, "lib/schemas/sarif-2.1.0-rtm.5.json"));
const validate = ajv.compile(schema);
const log = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
if (!validate(log)) {
  for (const e of validate.errors) console.error(`${e.dataPath || "/"}: ${e.message} ${JSON.stringify(e.params)}`);
  process.exit(1);
}
console.log(`valid SARIF ${log.version}: ${log.runs.length} run(s), ${log.runs[0].results.length} result(s)`);
