#!/usr/bin/env node
import { runCli } from './run-cli.js'

runCli(process.argv.slice(2), process.env, (s) => process.stdout.write(s), (s) => process.stderr.write(s)).then(
  (code) => { process.exitCode = code },
  (e: unknown) => {
    process.stderr.write(`sidehook: ${(e as Error).stack ?? String(e)}\n`)
    process.exitCode = 1
  }
)
