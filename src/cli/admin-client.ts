import { request } from 'undici'

export class CliError extends Error {
  readonly exitCode: number
  constructor (message: string, exitCode = 1) {
    super(message)
    this.exitCode = exitCode
  }
}

/** A thin client for the admin API; every failure becomes a CliError with a readable message. */
export class AdminClient {
  readonly #base: string
  readonly #token: string

  constructor (baseUrl: string, token: string) {
    this.#base = baseUrl.replace(/\/+$/, '')
    this.#token = token
  }

  get (path: string, query: Record<string, string | number | undefined> = {}): Promise<Record<string, any>> {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v))
    const q = qs.toString()
    return this.#call('GET', q === '' ? path : `${path}?${q}`)
  }

  post (path: string, body?: unknown): Promise<Record<string, any>> {
    return this.#call('POST', path, body)
  }

  async #call (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, any>> {
    const headers: Record<string, string> = {}
    if (this.#token !== '') headers.authorization = `Bearer ${this.#token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    let res
    try {
      res = await request(`${this.#base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), headersTimeout: 15_000, bodyTimeout: 15_000 })
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).message
      throw new CliError(`Cannot reach the admin API at ${this.#base} (${code}). Is Sidehook running? Set --admin-url or SIDEHOOK_ADMIN_URL.`, 3)
    }
    const text = await res.body.text()
    let json: Record<string, any>
    try {
      json = JSON.parse(text) as Record<string, any>
    } catch {
      throw new CliError(`The admin API answered ${res.statusCode} with something that is not JSON`, 1)
    }
    if (res.statusCode === 401) throw new CliError('The admin API refused the token: set --token or SIDEHOOK_ADMIN_TOKEN', 4)
    if (res.statusCode >= 400) throw new CliError(`${json.message ?? 'Request failed'} (${json.error ?? res.statusCode})`, 1)
    return json
  }
}
