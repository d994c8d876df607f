import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../../config/load-config.js'
import { serve as runServer } from '../../serve.js'
import { CliError } from '../admin-client.js'
import type { Command } from '../context.js'

export const checkConfig: Command = {
  summary: 'Validate a config file and print every problem (exit 1 when invalid)',
  usage: 'sidehook check-config [file]\n\nWithout a file: SIDEHOOK_CONFIG, else config/default.json. The environment is applied as at start.',
  async run ({ args, json, out }) {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true })
    if (positionals.length > 1) throw new CliError('check-config takes at most one file', 2)
    try {
      const config = await loadConfig({ file: positionals[0], env: process.env })
      if (json) out(JSON.stringify({ valid: true, sources: Object.keys(config.sources), targets: Object.keys(config.targets) }) + '\n')
      else out(`Config is valid: ${Object.keys(config.sources).length} source(s), ${Object.keys(config.targets).length} target(s)\n`)
      return 0
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      if (json) out(JSON.stringify({ valid: false, problems: e.problems }, null, 2) + '\n')
      else out(e.message + '\n')
      return 1
    }
  }
}

export const serve: Command = {
  summary: 'Run Sidehook (what npm start runs)',
  usage: 'sidehook serve [--config file]',
  async run ({ args }) {
    const { values } = parseArgs({ args, strict: true, options: { config: { type: 'string' } } })
    await runServer(values.config)
    // The server runs until a signal ends the process.
    return new Promise<number>(() => {})
  }
}
