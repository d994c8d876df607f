import type { AdminClient } from './admin-client.js'

/** What every command gets: its own arguments, the admin client, and where to write. */
export interface CommandContext {
  readonly args: string[]
  readonly json: boolean
  readonly client: () => AdminClient
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

export interface Command {
  readonly summary: string
  readonly usage: string
  readonly run: (ctx: CommandContext) => Promise<number>
}
