import { AdminClient, CliError } from './admin-client.js'
import { pause, resume, retry } from './commands/actions.js'
import { checkConfig, serve } from './commands/config.js'
import { deliveries, delivery, statusCode, targets } from './commands/inspect.js'
import type { Command } from './context.js'

const COMMANDS: Record<string, Command> = {
  serve,
  'check-config': checkConfig,
  'status-code': statusCode,
  deliveries,
  delivery,
  retry,
  targets,
  pause,
  resume
}

const GLOBAL = `Global options:
  --admin-url <url>   admin API (default SIDEHOOK_ADMIN_URL or http://127.0.0.1:8081)
  --token <token>     admin token (default SIDEHOOK_ADMIN_TOKEN)
  --json              machine-readable output
  --help              help for a command

Exit codes: 0 ok, 1 failed, 2 bad usage, 3 admin API unreachable, 4 token refused.`

function help (): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length))
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return `Usage: sidehook <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n${GLOBAL}\n`
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli (argv: string[], env: NodeJS.ProcessEnv, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  // Global options may stand anywhere; take them out before the command parses its own.
  const rest: string[] = []
  let adminUrl = env.SIDEHOOK_ADMIN_URL ?? 'http://127.0.0.1:8081'
  let token = env.SIDEHOOK_ADMIN_TOKEN ?? ''
  let json = false
  let wantsHelp = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') json = true
    else if (a === '--help' || a === '-h') wantsHelp = true
    else if (a === '--admin-url' || a === '--token') {
      const v = argv[++i]
      if (v === undefined) { err(`${a} needs a value\n`); return 2 }
      if (a === '--admin-url') adminUrl = v
      else token = v
    } else if (a.startsWith('--admin-url=')) adminUrl = a.slice('--admin-url='.length)
    else if (a.startsWith('--token=')) token = a.slice('--token='.length)
    else rest.push(a)
  }
  const [name, ...args] = rest
  if (name === undefined || name === 'help') {
    out(help())
    return name === undefined && !wantsHelp ? 2 : 0
  }
  const command = COMMANDS[name]
  if (command === undefined) {
    err(`Unknown command "${name}".\n\n${help()}`)
    return 2
  }
  if (wantsHelp) {
    out(`${command.summary}\n\nUsage: ${command.usage}\n\n${GLOBAL}\n`)
    return 0
  }
  try {
    return await command.run({ args, json, client: () => new AdminClient(adminUrl, token), out, err })
  } catch (e) {
    const code = (e as { code?: string }).code
    if (e instanceof CliError) {
      err(`sidehook ${name}: ${e.message}\n`)
      return e.exitCode
    }
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      err(`sidehook ${name}: ${(e as Error).message}\nUsage: ${command.usage}\n`)
      return 2
    }
    throw e
  }
}
