// Sidehook web console: a native ES module, no framework, no build step.
// Every piece of data goes into the DOM as text (textContent), never as markup.

const TOKEN_KEY = 'sidehook.adminToken'
const view = document.getElementById('view')
const nav = document.getElementById('nav')

// ---------- small helpers ----------

/** Creates an element. Strings and numbers among the children become text nodes. */
function h (tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value)
    else if (key === 'class') el.className = value
    else if (key === 'value') el.value = value
    else if (key === 'checked') el.checked = Boolean(value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

function append (el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

function badge (value) {
  return h('span', { class: `badge s-${String(value).replace(/[^a-z_]/gi, '')}` }, String(value).replace('_', ' '))
}

function fmtTime (iso) {
  if (iso === null || iso === undefined) return '—'
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

function statusText (code, info) {
  if (code === null || code === undefined) return '—'
  return info ? `${code} ${info.name}` : String(code)
}

function notice () {
  const el = h('div', { class: 'notice', role: 'status', 'aria-live': 'polite' })
  return {
    el,
    ok (text) { el.className = 'notice ok'; el.textContent = text },
    error (text) { el.className = 'notice error'; el.textContent = text },
    clear () { el.className = 'notice'; el.textContent = '' }
  }
}

function table (headers, rows, empty = 'Nothing here.') {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('thead', {}, h('tr', {}, headers.map((x) => typeof x === 'string' ? h('th', {}, x) : x))),
      h('tbody', {}, rows.length > 0 ? rows : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, empty)))))
}

// ---------- API ----------

class ApiError extends Error {
  constructor (status, message) { super(message); this.status = status }
}

function token () { return sessionStorage.getItem(TOKEN_KEY) }

async function api (method, path, body) {
  const headers = {}
  const t = token()
  if (t) headers.authorization = `Bearer ${t}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  let data = null
  try { data = await res.json() } catch { data = null }
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY)
    goLogin()
    throw new ApiError(401, 'Not logged in')
  }
  if (!res.ok) throw new ApiError(res.status, data?.message ?? `${res.status} ${res.statusText}`)
  return data
}

function qs (params) {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s === '' ? '' : `?${s}`
}

// ---------- routing ----------

let generation = 0
let cleanups = []
let returnTo = '#/deliveries'

/** Registers a timer or listener to drop when the page changes. */
function onLeave (fn) { cleanups.push(fn) }
/** True while the page that asked is still the one shown. */
function current (gen) { return gen === generation }

function goLogin () {
  if (!location.hash.startsWith('#/login')) returnTo = location.hash || '#/deliveries'
  location.hash = '#/login'
}

const routes = [
  [/^#\/login$/, renderLogin],
  [/^#\/deliveries$/, renderDeliveries],
  [/^#\/deliveries\/([\w-]+)$/, renderDelivery],
  [/^#\/targets$/, renderTargets],
  [/^#\/status-codes(?:\/(\d{3}))?$/, renderStatusCodes],
  [/^#\/alerts$/, renderAlerts]
]

function render () {
  generation++
  for (const fn of cleanups) fn()
  cleanups = []
  const hash = location.hash || '#/deliveries'
  if (token() === null && hash !== '#/login') { goLogin(); return }
  nav.hidden = token() === null
  const page = hash.split('/')[1]
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.page === page)
  view.replaceChildren()
  for (const [pattern, fn] of routes) {
    const m = pattern.exec(hash)
    if (m !== null) {
      fn(generation, ...m.slice(1)).catch((err) => {
        if (err instanceof ApiError && err.status === 401) return
        view.append(h('div', { class: 'notice error' }, err.message))
      })
      return
    }
  }
  view.append(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/deliveries' }, 'Go to deliveries')))
}

window.addEventListener('hashchange', render)
document.getElementById('logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY)
  returnTo = '#/deliveries'
  location.hash = '#/login'
})

// ---------- login ----------

async function renderLogin () {
  const msg = notice()
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', autofocus: true })
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault()
      msg.clear()
      const value = input.value.trim()
      sessionStorage.setItem(TOKEN_KEY, value)
      const headers = value === '' ? {} : { authorization: `Bearer ${value}` }
      try {
        const res = await fetch('/admin/targets', { headers })
        if (res.ok) {
          location.hash = returnTo === '#/login' ? '#/deliveries' : returnTo
          return
        }
        sessionStorage.removeItem(TOKEN_KEY)
        const body = await res.json().catch(() => null)
        msg.error(res.status === 401 ? 'That token was not accepted.' : body?.message ?? `Error ${res.status}`)
      } catch (err) {
        sessionStorage.removeItem(TOKEN_KEY)
        msg.error(`Could not reach Sidehook: ${err.message}`)
      }
    }
  },
  h('label', { for: 'token' }, 'Admin token'),
  input,
  h('p', { class: 'hint' }, 'Kept in this browser tab only (session storage). Leave it empty if the admin API has no token.'),
  h('button', { type: 'submit' }, 'Log in'))
  view.append(h('div', { class: 'card login' }, h('h1', {}, 'Sidehook console'), msg.el, form))
  input.focus()
}

// ---------- status codes ----------

let statusCache = null

async function renderStatusCodes (gen, initial) {
  const entry = h('div', { class: 'card status-entry', 'aria-live': 'polite', id: 'status-entry' },
    h('p', { class: 'muted' }, 'Type a status code to see what it means and whether Sidehook retries it.'))
  const input = h('input', {
    id: 'code', type: 'search', maxlength: 40, autocomplete: 'off', spellcheck: 'false', placeholder: '503 or a name',
    'aria-label': 'Status code', autofocus: true, value: initial ?? ''
  })
  const classSel = h('select', { 'aria-label': 'Class' }, h('option', { value: '' }, 'All classes'),
    ['1xx', '2xx', '3xx', '4xx', '5xx'].map((c) => h('option', { value: c }, c)))
  const retrySel = h('select', { 'aria-label': 'Retryable' }, h('option', { value: '' }, 'Retryable or not'),
    h('option', { value: 'true' }, 'Retryable'), h('option', { value: 'false' }, 'Not retryable'))
  const tbody = h('tbody')
  let rows = []
  let selected = -1
  let lookupSeq = 0

  const showEntry = (s) => {
    entry.replaceChildren(
      h('p', { class: 'title' }, h('span', { class: 'code' }, String(s.code)), s.name),
      h('p', {}, badge(s.class), ' ', h('span', { class: `badge s-${s.retryable ? 'yes' : 'no'}` }, s.retryable ? 'retried' : 'not retried'),
        s.registered ? '' : h('span', { class: 'muted' }, s.vendor ? `  unofficial (${s.vendor})` : '  not registered: class defaults')),
      h('dl', { class: 'fields' },
        h('dt', {}, 'Meaning'), h('dd', {}, s.meaning),
        h('dt', {}, 'When to retry'), h('dd', {}, s.whenToRetry),
        h('dt', {}, 'Common causes'), h('dd', {}, h('ul', {}, s.commonCauses.map((c) => h('li', {}, c)))),
        s.reference ? [h('dt', {}, 'Reference'), h('dd', {}, s.reference)] : null))
  }

  const lookup = async (code) => {
    const seq = ++lookupSeq
    try {
      const s = await api('GET', `/admin/status-codes/${code}`)
      if (current(gen) && seq === lookupSeq) showEntry(s)
    } catch (err) {
      if (current(gen) && seq === lookupSeq) entry.replaceChildren(h('p', { class: 'notice error' }, err.message))
    }
  }

  const select = (i) => {
    rows.forEach((r, j) => r.classList.toggle('selected', j === i))
    selected = i
    if (i >= 0 && rows[i]) rows[i].scrollIntoView({ block: 'nearest' })
  }

  const fill = () => {
    const text = input.value.trim().toLowerCase()
    const all = statusCache ?? []
    const list = all.filter((s) => (classSel.value === '' || s.class === classSel.value) &&
      (retrySel.value === '' || String(s.retryable) === retrySel.value) &&
      (/^\d*$/.test(text) ? String(s.code).startsWith(text) : s.name.toLowerCase().includes(text)))
    rows = list.map((s) => h('tr', {
      class: 'clickable',
      onclick: () => { input.value = String(s.code); showEntry(s); input.focus() }
    }, h('td', { class: 'mono' }, String(s.code)), h('td', {}, s.name), h('td', {}, s.class),
    h('td', {}, h('span', { class: `badge s-${s.retryable ? 'yes' : 'no'}` }, s.retryable ? 'yes' : 'no')),
    h('td', { class: 'hide-narrow muted' }, s.vendor ?? (s.registered ? '' : 'unofficial'))))
    tbody.replaceChildren(...(rows.length > 0 ? rows : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No code matches.'))]))
    selected = -1
  }

  const onInput = () => {
    fill()
    const text = input.value.trim()
    if (/^\d{3}$/.test(text)) void lookup(text)
  }
  input.addEventListener('input', onInput)
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); select(Math.min(selected + 1, rows.length - 1)) } else if (e.key === 'ArrowUp') { e.preventDefault(); select(Math.max(selected - 1, 0)) } else if (e.key === 'Enter') {
      e.preventDefault()
      if (selected >= 0 && rows[selected]) rows[selected].click()
      else if (/^\d{3}$/.test(input.value.trim())) void lookup(input.value.trim())
      else if (rows.length > 0) rows[0].click()
    } else if (e.key === 'Escape') { input.value = ''; onInput() }
  })
  classSel.addEventListener('change', fill)
  retrySel.addEventListener('change', fill)
  const slash = (e) => {
    if (e.key === '/' && !['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName)) {
      e.preventDefault(); input.focus(); input.select()
    }
  }
  document.addEventListener('keydown', slash)
  onLeave(() => document.removeEventListener('keydown', slash))

  view.append(
    h('h1', {}, 'Status codes'),
    h('div', { class: 'row lookup' }, h('label', { for: 'code' }, 'Code', input), classSel, retrySel),
    h('p', { class: 'hint' }, h('kbd', {}, '/'), ' focus  ', h('kbd', {}, '↑'), h('kbd', {}, '↓'), ' move  ',
      h('kbd', {}, 'Enter'), ' show  ', h('kbd', {}, 'Esc'), ' clear. Type digits for a code or words for a name.'),
    entry,
    h('div', { class: 'table-wrap' }, h('table', { id: 'status-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Code'), h('th', {}, 'Name'), h('th', {}, 'Class'), h('th', {}, 'Retried'), h('th', { class: 'hide-narrow' }, 'Note'))),
      tbody)))
  input.focus()
  if (statusCache === null) statusCache = (await api('GET', '/admin/status-codes')).items
  if (!current(gen)) return
  fill()
  if (initial) void lookup(initial)
}

// ---------- deliveries ----------

const deliveryFilters = { state: '', target: '', source: '', since: '', live: false }

async function renderDeliveries (gen) {
  const msg = notice()
  const f = deliveryFilters
  const state = h('select', { name: 'state' }, h('option', { value: '' }, 'Any state'),
    ['pending', 'in_flight', 'succeeded', 'failed', 'cancelled'].map((s) => h('option', { value: s }, s.replace('_', ' '))))
  state.value = f.state
  const target = h('select', { name: 'target' }, h('option', { value: '' }, 'Any target'))
  const source = h('input', { name: 'source', type: 'text', value: f.source, placeholder: 'source name', size: 12 })
  const since = h('input', { name: 'since', type: 'text', value: f.since, placeholder: '15m, 2h, 7d or ISO', size: 16 })
  const live = h('input', { type: 'checkbox', name: 'live', checked: f.live })
  const tbody = h('tbody')
  const pager = h('div', { class: 'pager' })
  const cursors = [undefined] // cursor of each page seen; the last one is the page shown
  let timer = null

  const load = async () => {
    const page = await api('GET', `/admin/deliveries${qs({ state: f.state, target: f.target, source: f.source, since: f.since, limit: 25, cursor: cursors.at(-1) })}`)
    if (!current(gen)) return
    msg.clear()
    tbody.replaceChildren(...(page.items.length === 0
      ? [h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No delivery matches.'))]
      : page.items.map((d) => h('tr', { class: 'clickable', 'data-id': d.id, onclick: () => { location.hash = `#/deliveries/${d.id}` } },
        h('td', { class: 'mono' }, h('a', { href: `#/deliveries/${d.id}` }, d.id)),
        h('td', {}, badge(d.state)),
        h('td', {}, d.target),
        h('td', { class: 'hide-narrow' }, d.source),
        h('td', { class: 'num' }, String(d.attemptCount)),
        h('td', {}, statusText(d.lastStatus, d.lastStatusInfo), d.lastError ? h('div', { class: 'muted' }, d.lastError) : null),
        h('td', { class: 'hide-narrow' }, fmtTime(d.updatedAt))))))
    pager.replaceChildren(
      h('button', { type: 'button', class: 'secondary', disabled: cursors.length <= 1, onclick: () => { cursors.pop(); void refresh() } }, '← Newer'),
      h('span', { class: 'muted' }, `Page ${cursors.length}`),
      h('button', { type: 'button', class: 'secondary', disabled: page.nextCursor === null, onclick: () => { cursors.push(page.nextCursor); void refresh() } }, 'Older →'))
  }
  const refresh = () => load().catch((err) => { if (current(gen) && err.status !== 401) msg.error(err.message) })

  const setLive = () => {
    f.live = live.checked
    if (timer !== null) clearInterval(timer)
    timer = f.live ? setInterval(refresh, 3000) : null
  }
  onLeave(() => { if (timer !== null) clearInterval(timer) })

  const apply = (e) => {
    e?.preventDefault()
    Object.assign(f, { state: state.value, target: target.value, source: source.value.trim(), since: since.value.trim() })
    cursors.length = 1
    void refresh()
  }
  state.addEventListener('change', apply)
  target.addEventListener('change', apply)
  live.addEventListener('change', setLive)

  view.append(
    h('h1', {}, 'Deliveries'),
    h('form', { class: 'row card', onsubmit: apply },
      h('label', {}, 'State', state), h('label', {}, 'Target', target), h('label', {}, 'Source', source), h('label', {}, 'Since', since),
      h('button', { type: 'submit' }, 'Filter'),
      h('label', { class: 'check' }, live, 'Live (every 3 s)')),
    msg.el,
    h('div', { class: 'table-wrap' }, h('table', { id: 'deliveries' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Delivery'), h('th', {}, 'State'), h('th', {}, 'Target'), h('th', { class: 'hide-narrow' }, 'Source'),
        h('th', {}, 'Tries'), h('th', {}, 'Last status'), h('th', { class: 'hide-narrow' }, 'Updated'))),
      tbody)),
    pager)
  setLive()
  const targets = await api('GET', '/admin/targets').catch(() => ({ items: [] }))
  if (!current(gen)) return
  for (const t of targets.items) target.append(h('option', { value: t.name }, t.name))
  target.value = f.target
  await refresh()
}

// ---------- one delivery ----------

async function renderDelivery (gen, id) {
  const msg = notice()
  const body = h('div')
  let timer = null
  onLeave(() => { if (timer !== null) clearTimeout(timer) })

  const act = async (action) => {
    msg.clear()
    try {
      const d = await api('POST', `/admin/deliveries/${encodeURIComponent(id)}/${action}`)
      if (!current(gen)) return
      msg.ok(action === 'retry' ? `Delivery retried: now ${d.state.replace('_', ' ')}.` : `Delivery cancelled: now ${d.state}.`)
      await load()
    } catch (err) {
      if (current(gen) && err.status !== 401) msg.error(err.message)
    }
  }

  const load = async () => {
    if (timer !== null) { clearTimeout(timer); timer = null }
    const d = await api('GET', `/admin/deliveries/${encodeURIComponent(id)}`)
    if (!current(gen)) return
    body.replaceChildren(
      h('div', { class: 'row' },
        h('button', { type: 'button', id: 'retry', onclick: () => act('retry') }, 'Retry now'),
        h('button', { type: 'button', id: 'cancel', class: 'danger', disabled: d.state === 'succeeded' || d.state === 'cancelled', onclick: () => act('cancel') }, 'Cancel')),
      h('div', { class: 'card' },
        h('dl', { class: 'fields', id: 'delivery-fields' },
          h('dt', {}, 'State'), h('dd', { id: 'delivery-state' }, badge(d.state)),
          h('dt', {}, 'Target'), h('dd', {}, d.target),
          h('dt', {}, 'Source'), h('dd', {}, d.source),
          h('dt', {}, 'Event'), h('dd', { class: 'mono' }, d.eventId),
          h('dt', {}, 'Attempts'), h('dd', {}, String(d.attemptCount)),
          h('dt', {}, 'Last status'), h('dd', {}, statusText(d.lastStatus, d.lastStatusInfo), d.lastStatusInfo ? h('div', { class: 'muted' }, d.lastStatusInfo.meaning) : null),
          d.lastError ? [h('dt', {}, 'Last error'), h('dd', {}, d.lastError)] : null,
          d.failReason ? [h('dt', {}, 'Failed because'), h('dd', {}, d.failReason.replaceAll('_', ' '))] : null,
          h('dt', {}, 'Next attempt'), h('dd', {}, fmtTime(d.nextAttemptAt)),
          h('dt', {}, 'Created'), h('dd', {}, fmtTime(d.createdAt)),
          h('dt', {}, 'Updated'), h('dd', {}, fmtTime(d.updatedAt)))),
      h('h2', {}, 'Attempts'),
      table(['#', 'Started', 'Took', 'Status', 'Outcome', 'Error / response'], d.attempts.map((a) => h('tr', {},
        h('td', { class: 'num' }, String(a.n)),
        h('td', {}, fmtTime(a.startedAt)),
        h('td', { class: 'num' }, a.durationMs === null ? '—' : `${a.durationMs} ms`),
        h('td', {}, statusText(a.status, a.statusInfo), a.statusInfo ? h('div', { class: 'muted' }, a.statusInfo.meaning) : null),
        h('td', {}, badge(a.outcome)),
        h('td', {},
          a.error ? h('div', {}, `${a.error}${a.errorMessage ? `: ${a.errorMessage}` : ''}`) : null,
          a.retryAfterMs !== null ? h('div', { class: 'muted' }, `Retry-After ${Math.round(a.retryAfterMs / 1000)} s`) : null,
          a.responseBody !== null ? h('details', {}, h('summary', {}, `Response body${a.responseBodyEncoding === 'base64' ? ' (base64)' : ''}`), h('pre', {}, a.responseBody)) : null))),
      'No attempt yet.'))
    // Follow a delivery that is still moving.
    if (d.state === 'pending' || d.state === 'in_flight') timer = setTimeout(() => { load().catch(() => {}) }, 1500)
  }

  view.append(h('p', {}, h('a', { href: '#/deliveries' }, '← Deliveries')), h('h1', { class: 'mono' }, id), msg.el, body)
  await load()
}

// ---------- targets ----------

async function renderTargets (gen) {
  const msg = notice()
  const tbody = h('tbody')

  const act = async (name, action, minutes) => {
    msg.clear()
    const m = Number(minutes)
    if (minutes !== undefined && minutes !== '' && !(m > 0)) { msg.error('Minutes must be a positive number'); return }
    try {
      const t = await api('POST', `/admin/targets/${encodeURIComponent(name)}/${action}`,
        action === 'pause' && minutes ? { durationMs: Math.round(m * 60_000) } : undefined)
      if (!current(gen)) return
      msg.ok(`${name} is now ${t.state}${t.pausedUntil ? ` until ${fmtTime(t.pausedUntil)}` : ''}.`)
      await load()
    } catch (err) {
      if (current(gen) && err.status !== 401) msg.error(err.message)
    }
  }

  const load = async () => {
    const { items } = await api('GET', '/admin/targets')
    if (!current(gen)) return
    tbody.replaceChildren(...(items.length === 0
      ? [h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No target configured.'))]
      : items.map((t) => {
        const minutes = h('input', { type: 'number', min: 1, step: 'any', placeholder: 'min', 'aria-label': `Pause ${t.name} for minutes`, class: 'minutes', size: 4 })
        const stopped = t.state === 'paused' || t.state === 'held'
        return h('tr', { 'data-target': t.name },
          h('td', {}, h('strong', {}, t.name), h('div', { class: 'muted mono' }, t.url ?? 'not in the config any more')),
          h('td', { class: 'target-state' }, badge(t.state),
            t.pausedUntil ? h('div', { class: 'muted' }, `until ${fmtTime(t.pausedUntil)}`) : null,
            t.holdUntil ? h('div', { class: 'muted' }, `Retry-After hold until ${fmtTime(t.holdUntil)}`) : null),
          h('td', { class: 'num' }, `${t.counts.pending} / ${t.counts.in_flight}`),
          h('td', { class: 'num' }, `${t.counts.failed}`),
          h('td', { class: 'num' }, `${t.consecutiveFailures}`),
          h('td', { class: 'hide-narrow' }, t.lastStatus === null ? '—' : String(t.lastStatus),
            t.lastError ? h('div', { class: 'muted' }, t.lastError) : null,
            h('div', { class: 'muted' }, `last success ${fmtTime(t.lastSuccessAt)}`), h('div', { class: 'muted' }, `last failure ${fmtTime(t.lastFailureAt)}`)),
          h('td', {}, !t.configured
            ? h('span', { class: 'muted' }, '—')
            : stopped
              ? h('button', { type: 'button', class: 'resume', onclick: () => act(t.name, 'resume') }, 'Resume')
              : h('div', { class: 'row' }, minutes, h('button', { type: 'button', class: 'pause secondary', onclick: () => act(t.name, 'pause', minutes.value.trim()) }, 'Pause'))))
      })))
  }

  view.append(
    h('div', { class: 'row head' }, h('h1', {}, 'Targets'), h('button', { type: 'button', class: 'secondary', onclick: () => { load().catch((err) => msg.error(err.message)) } }, 'Refresh')),
    msg.el,
    h('div', { class: 'table-wrap' }, h('table', { id: 'targets' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Target'), h('th', {}, 'State'), h('th', {}, 'Pending / in flight'), h('th', {}, 'Failed'),
        h('th', {}, 'Failures in a row'), h('th', { class: 'hide-narrow' }, 'Last'), h('th', {}, 'Pause (minutes, empty: until resumed)'))),
      tbody)),
    h('p', { class: 'hint' }, 'Paused targets keep their deliveries; resuming also lifts a Retry-After hold.'))
  await load()
}

// ---------- alerts ----------

async function renderAlerts (gen) {
  const msg = notice()
  const testOut = h('div', { id: 'test-results' })
  const history = h('div')
  let loaded = null

  const field = (label, input) => h('label', {}, label, input)
  const inp = (name, attrs = {}) => h('input', { name, id: `alert-${name}`, type: 'text', ...attrs })
  const f = {
    consecutiveFailures: inp('consecutiveFailures', { type: 'number', min: 1, step: 1, required: true }),
    cooldownMinutes: inp('cooldownMinutes', { type: 'number', min: 0, step: 'any', required: true }),
    notifyOnRecovery: h('input', { type: 'checkbox', name: 'notifyOnRecovery' }),
    notifyOnPermanentFailure: h('input', { type: 'checkbox', name: 'notifyOnPermanentFailure' }),
    webhookUrl: inp('webhookUrl', { placeholder: 'https://… (empty: off)' }),
    webhookSecret: inp('webhookSecret', { placeholder: 'optional signing secret', autocomplete: 'off' }),
    slackUrl: inp('slackUrl', { placeholder: 'https://hooks.slack.com/… (empty: off)' }),
    emailTo: inp('emailTo', { placeholder: 'ops@example.com, oncall@example.com (empty: off)' }),
    emailFrom: inp('emailFrom', { placeholder: 'optional sender' })
  }

  const fill = (s) => {
    loaded = s
    f.consecutiveFailures.value = String(s.consecutiveFailures)
    f.cooldownMinutes.value = String(s.cooldownMs / 60_000)
    f.notifyOnRecovery.checked = s.notifyOnRecovery
    f.notifyOnPermanentFailure.checked = s.notifyOnPermanentFailure
    f.webhookUrl.value = s.channels.webhook?.url ?? ''
    f.webhookSecret.value = s.channels.webhook?.secret ?? ''
    f.slackUrl.value = s.channels.slack?.webhookUrl ?? ''
    f.emailTo.value = (s.channels.email?.to ?? []).join(', ')
    f.emailFrom.value = s.channels.email?.from ?? ''
  }

  const collect = () => {
    const channels = {}
    const webhookUrl = f.webhookUrl.value.trim()
    if (webhookUrl !== '') channels.webhook = f.webhookSecret.value === '' ? { url: webhookUrl } : { url: webhookUrl, secret: f.webhookSecret.value }
    const slack = f.slackUrl.value.trim()
    if (slack !== '') channels.slack = { webhookUrl: slack }
    const to = f.emailTo.value.split(/[,\s]+/).filter((x) => x !== '')
    if (to.length > 0) channels.email = f.emailFrom.value.trim() === '' ? { to } : { to, from: f.emailFrom.value.trim() }
    return {
      consecutiveFailures: Number(f.consecutiveFailures.value),
      cooldownMs: Math.round(Number(f.cooldownMinutes.value) * 60_000),
      notifyOnRecovery: f.notifyOnRecovery.checked,
      notifyOnPermanentFailure: f.notifyOnPermanentFailure.checked,
      channels,
      // Per-target overrides have no form yet: sent back as they came.
      targets: loaded?.targets ?? {}
    }
  }

  const save = async (e) => {
    e.preventDefault()
    msg.clear()
    try {
      const s = await api('PUT', '/admin/alerts/settings', collect())
      if (!current(gen)) return
      fill(s)
      msg.ok('Alert settings saved.')
    } catch (err) {
      if (current(gen) && err.status !== 401) msg.error(err.message)
    }
  }

  const sendTest = async () => {
    msg.clear()
    testOut.replaceChildren(h('p', { class: 'muted' }, 'Sending…'))
    try {
      const r = await api('POST', '/admin/alerts/test')
      if (!current(gen)) return
      testOut.replaceChildren(h('ul', {}, r.results.map((c) => h('li', {}, h('strong', {}, c.channel), ' ',
        h('span', { class: `badge s-${c.ok ? 'yes' : 'no'}` }, c.ok ? 'sent' : 'failed'), ' ', c.result))))
      await loadHistory()
    } catch (err) {
      if (!current(gen) || err.status === 401) return
      testOut.replaceChildren()
      msg.error(err.message)
    }
  }

  const loadHistory = async () => {
    const page = await api('GET', '/admin/alerts/history?limit=25')
    if (!current(gen)) return
    history.replaceChildren(table(['When', 'Type', 'Target', 'Channel', 'Status', 'Tries', 'Result'], page.items.map((a) => h('tr', {},
      h('td', {}, fmtTime(a.createdAt)), h('td', {}, a.type.replaceAll('_', ' ')), h('td', {}, a.target ?? '—'), h('td', {}, a.channel),
      h('td', {}, badge(a.status)), h('td', { class: 'num' }, String(a.attempts)), h('td', {}, a.result ?? ''))), 'No alert sent yet.'))
  }

  view.append(
    h('h1', {}, 'Alerts'),
    msg.el,
    h('form', { id: 'alert-form', onsubmit: save, novalidate: true },
      h('fieldset', {}, h('legend', {}, 'When to alert'),
        h('div', { class: 'form-grid' },
          field('Failed attempts in a row that open an incident', f.consecutiveFailures),
          field('Cooldown between reminders (minutes)', f.cooldownMinutes),
          h('label', { class: 'check' }, f.notifyOnRecovery, 'Tell when a target recovers'),
          h('label', { class: 'check' }, f.notifyOnPermanentFailure, 'Tell about deliveries that fail for good'))),
      h('fieldset', {}, h('legend', {}, 'Webhook'),
        h('div', { class: 'form-grid' }, field('URL', f.webhookUrl), field('Secret', f.webhookSecret))),
      h('fieldset', {}, h('legend', {}, 'Slack'), h('div', { class: 'form-grid' }, field('Incoming webhook URL', f.slackUrl))),
      h('fieldset', {}, h('legend', {}, 'Email'),
        h('div', { class: 'form-grid' }, field('To (comma-separated)', f.emailTo), field('From', f.emailFrom))),
      h('p', { class: 'hint' }, '*** stands for a stored secret: leave it as it is to keep the secret, or type a new value.'),
      h('div', { class: 'row' },
        h('button', { type: 'submit', id: 'save-alerts' }, 'Save'),
        h('button', { type: 'button', class: 'secondary', id: 'test-alert', onclick: sendTest }, 'Send test alert'))),
    testOut,
    h('h2', {}, 'History'),
    history)
  fill(await api('GET', '/admin/alerts/settings'))
  if (!current(gen)) return
  await loadHistory()
}

render()
