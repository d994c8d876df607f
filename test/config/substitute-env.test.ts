import t from 'tap'
import { substituteEnv } from '../../src/config/substitute-env.js'

t.test('replacements', async (t) => {
  const env = { HOST: 'example.com', EMPTY: '', QUOTE: 'a"b', BACKSLASH: 'C:\\dir\\', NEWLINE: 'line1\nline2', PORT: '9000' }
  // [template, expected text after substitution]
  const rows: Array<[string, string]> = [
    ['"http://${HOST}/x"', '"http://example.com/x"'],
    ['"${HOST}${HOST}"', '"example.comexample.com"'],
    ['"${MISSING:-fallback}"', '"fallback"'],
    ['"${HOST:-fallback}"', '"example.com"'],
    ['"${EMPTY:-fallback}"', '"fallback"'],
    ['"${MISSING:-}"', '""'],
    ['"${EMPTY}"', '""'],
    ['"${MISSING:-http://127.0.0.1:3000/a?b=c}"', '"http://127.0.0.1:3000/a?b=c"'],
    ['"${MISSING:-say \\"hi\\"}"', '"say \\"hi\\""'],
    ['"$${HOST}"', '"${HOST}"'],
    ['"$${HOST} and ${HOST}"', '"${HOST} and example.com"'],
    ['"cost: $5 {x}"', '"cost: $5 {x}"'],
    ['{"port": ${PORT}}', '{"port": 9000}'],
    ['{"port": ${MISSING:-8080}}', '{"port": 8080}']
  ]
  for (const [template, expected] of rows) {
    t.same(substituteEnv(template, env), { text: expected, problems: [] }, template)
  }
})

t.test('values are JSON-escaped so they cannot break the document', async (t) => {
  const env = { QUOTE: 'a"b', BACKSLASH: 'C:\\dir\\', NEWLINE: 'line1\nline2', INJECT: '", "admin": "x' }
  const { text, problems } = substituteEnv('{"a": "${QUOTE}", "b": "${BACKSLASH}", "c": "${NEWLINE}", "d": "${INJECT}"}', env)
  t.same(problems, [])
  t.same(JSON.parse(text), { a: 'a"b', b: 'C:\\dir\\', c: 'line1\nline2', d: '", "admin": "x' })
  t.notMatch(text, /\n/, 'no raw line break, so line numbers still match the file')
})

t.test('an unset variable without default is a problem at its JSON path', async (t) => {
  const template = `{
  "admin": { "token": "\${TOKEN}" },
  "sources": { "stripe": { "targets": ["app"], "verify": { "scheme": "stripe", "secret": "\${STRIPE_SECRET}" } } },
  "targets": { "app": { "url": "\${MISSING:-http://x}", "headers": { "Authorization": "Bearer \${APP_TOKEN}" } } },
  "list": ["a", "\${ITEM}"],
  "server": { "port": \${PORT} }
}`
  const { text, problems } = substituteEnv(template, { TOKEN: 't' })
  t.same(problems, [
    { path: 'sources.stripe.verify.secret', message: 'environment variable STRIPE_SECRET is not set' },
    { path: 'targets.app.headers.Authorization', message: 'environment variable APP_TOKEN is not set' },
    { path: 'list[1]', message: 'environment variable ITEM is not set' },
    { path: 'server.port', message: 'environment variable PORT is not set' }
  ])
  t.match(text, '"secret": ""', 'an unset variable becomes an empty string')
  t.match(text, '"token": "t"')
})

t.test('malformed references are reported, not passed through silently', async (t) => {
  const rows: Array<[string, string, string]> = [
    ['{"a": "${1BAD}"}', 'a', "invalid reference '${1BAD}': write ${NAME} or ${NAME:-default}"],
    ['{"a": "${}"}', 'a', "invalid reference '${}': write ${NAME} or ${NAME:-default}"],
    ['{"a": "${A-b}"}', 'a', "invalid reference '${A-b}': write ${NAME} or ${NAME:-default}"],
    ['{"a": "${OPEN"}', 'a', "unterminated '${'; write '$${' for a literal '${'"]
  ]
  for (const [template, path, message] of rows) {
    t.same(substituteEnv(template, {}).problems, [{ path, message }], template)
  }
  t.same(substituteEnv('"${X}"', {}).problems, [{ path: '(file)', message: 'environment variable X is not set' }],
    'a reference outside any object falls back to (file)')
})
