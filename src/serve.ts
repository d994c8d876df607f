import { ConfigError, loadConfig } from './config/load-config.js'
import { configSecretHeaders, configSecrets, createLogger } from './logger.js'
import { startSidehook, type RunningSidehook } from './sidehook.js'
import { StorageOpenError } from './store/sqlite/open-database.js'

/**
 * Runs Sidehook in this process until SIGINT/SIGTERM: config from the environment (or
 * `file`), signals, exit codes. The only code that touches `process` for the server.
 */
export async function serve (file?: string): Promise<void> {
  let config
  try {
    config = await loadConfig({ env: process.env, file })
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sidehook: ${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
  const logger = createLogger({ level: config.logLevel, secrets: configSecrets(config), headers: configSecretHeaders(config) })
  logger.debug({ config }, 'Configuration loaded')
  let running: RunningSidehook
  try {
    running = await startSidehook({ config, logger })
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const message = err instanceof StorageOpenError
      ? err.message
      : e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL'
        ? `Cannot listen: ${e.message}`
        : undefined
    if (message === undefined) throw err
    logger.fatal({ code: e.code }, message)
    process.stderr.write(`sidehook: ${message}\n`)
    process.exit(1)
  }

  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals++
    if (signals > 1) {
      logger.warn({ signal }, 'Second signal: exiting at once; leases of unfinished attempts will expire and be retried')
      process.exit(130)
    }
    logger.info({ signal }, 'Signal received')
    running.close().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'Shutdown failed')
      process.exit(1)
    })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}
