// Runs BSI's CSAF validator library (schema test and every mandatory test, 6.1.x) on the CSAF
// documents named on the command line. KEIKAI_CSAF_VALIDATOR_DIR is where
// @secvisogram/csaf-validator-lib was installed (npm install --prefix DIR), or the library itself.
// Prints one line per failed test and exits 1 if any failed.
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const dir = process.env.KEIKAI_CSAF_VALIDATOR_DIR
let base = path.join(dir, 'node_modules', '@secvisogram', 'csaf-validator-lib')
if (!fs.existsSync(base)) base = dir
const lib = (f) => import(pathToFileURL(path.join(base, f)).href)

const { default: validateStrict } = await lib('validateStrict.js')
const mandatory = await lib('mandatoryTests.js')
const { csaf_2_0_strict } = await lib('schemaTests.js')
const tests = [csaf_2_0_strict, ...Object.values(mandatory)]

let failed = false
let count = 0
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
  const result = await validateStrict(tests, doc)
  for (const t of result.tests) {
    count++
    if (!t.isValid || t.errors.length > 0) {
      failed = true
      console.log(`${file}: ${t.name}: ${JSON.stringify(t.errors)}`)
    }
  }
}
console.log(`${count} tests run on ${process.argv.length - 2} documents`)
process.exit(failed ? 1 : 0)
