// The independent evaluator of iamlint's differential test: @cloud-copilot/iam-simulate
// (version pinned in package-lock.json beside this file, installed by scripts/test-env into
// target/difftest). Reads one case per line on stdin, JSON:
//   {"id", "policies": [policy...], "boundary": policy|null, "action", "resource",
//    "context": {key: value | [values]}}
// and writes one line per case: {"id", "result": "Allowed" | "ExplicitlyDenied" |
// "ImplicitlyDenied" | "error", "errors"?}.
import { createRequire } from 'node:module'
import path from 'node:path'
import readline from 'node:readline'

const modules = path.resolve(process.env.DIFFTEST_MODULES || 'target/difftest')
const require = createRequire(path.join(modules, 'package.json'))
const { runSimulation } = require('@cloud-copilot/iam-simulate')

const ACCOUNT = '111122223333'

async function run(c) {
  const sim = {
    request: {
      principal: `arn:aws:iam::${ACCOUNT}:user/difftest`,
      action: c.action,
      resource: { resource: c.resource, accountId: ACCOUNT },
      contextVariables: c.context,
    },
    identityPolicies: c.policies.map((policy, i) => ({ name: `p${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  }
  if (c.boundary) {
    sim.permissionBoundaryPolicies = [{ name: 'boundary', policy: c.boundary }]
  }
  try {
    const r = await runSimulation(sim, {})
    if (r.resultType === 'error') {
      return { id: c.id, result: 'error', errors: r.errors }
    }
    return { id: c.id, result: r.overallResult }
  } catch (e) {
    return { id: c.id, result: 'error', errors: String(e) }
  }
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of rl) {
  if (!line.trim()) continue
  process.stdout.write(JSON.stringify(await run(JSON.parse(line))) + '\n')
}
