export interface JsonSyntaxError {
  readonly line: number
  readonly column: number
  readonly message: string
}

class SyntaxFailure {
  constructor (readonly offset: number, readonly message: string) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y

function shown (char: string | undefined): string {
  if (char === undefined) return 'end of input'
  return /[\x21-\x7e]/.test(char) ? `'${char}'` : `character U+${char.codePointAt(0)?.toString(16).padStart(4, '0') ?? '?'}`
}

/**
 * A strict JSON reader that only locates the first syntax error. JSON.parse is still what
 * parses; this exists because V8's messages often lack a position and quote the input, which
 * here may hold secrets substituted from the environment.
 */
class Locator {
  #text: string
  #pos = 0

  constructor (text: string) {
    this.#text = text
  }

  document (): void {
    this.#value()
    this.#space()
    if (this.#pos < this.#text.length) this.#fail(`unexpected ${shown(this.#text[this.#pos])} after the end of the JSON value`)
  }

  #fail (message: string, offset = this.#pos): never {
    throw new SyntaxFailure(offset, message)
  }

  #space (): void {
    while (/[ \t\r\n]/.test(this.#text[this.#pos] ?? '')) this.#pos++
  }

  #expect (char: string, what: string): void {
    this.#space()
    if (this.#text[this.#pos] !== char) this.#fail(`expected ${what}, found ${shown(this.#text[this.#pos])}`)
    this.#pos++
  }

  #value (): void {
    this.#space()
    const char = this.#text[this.#pos]
    if (char === '{') this.#object()
    else if (char === '[') this.#array()
    else if (char === '"') this.#string()
    else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) this.#number()
    else if (!this.#literal('true') && !this.#literal('false') && !this.#literal('null')) {
      this.#fail(`expected a value, found ${shown(char)}`)
    }
  }

  #literal (word: string): boolean {
    if (!this.#text.startsWith(word, this.#pos)) return false
    this.#pos += word.length
    return true
  }

  #number (): void {
    NUMBER.lastIndex = this.#pos
    const match = NUMBER.exec(this.#text)
    if (match === null) this.#fail('invalid number')
    this.#pos += match[0].length
  }

  #string (): void {
    const start = this.#pos
    this.#pos++
    for (;;) {
      const char = this.#text[this.#pos]
      if (char === undefined) this.#fail('unterminated string', start)
      if (char === '"') break
      if (char === '\\') {
        ESCAPE.lastIndex = this.#pos
        if (!ESCAPE.test(this.#text)) this.#fail('invalid escape sequence in string')
        this.#pos = ESCAPE.lastIndex
        continue
      }
      if (char < ' ') this.#fail('control character (such as a raw line break or tab) in string; write it as \\n or \\t')
      this.#pos++
    }
    this.#pos++
  }

  #object (): void {
    this.#pos++
    this.#space()
    if (this.#text[this.#pos] === '}') {
      this.#pos++
      return
    }
    for (;;) {
      this.#space()
      if (this.#text[this.#pos] === '}') this.#fail("expected a property name; trailing commas are not allowed in JSON")
      if (this.#text[this.#pos] !== '"') this.#fail(`expected a property name in double quotes, found ${shown(this.#text[this.#pos])}`)
      this.#string()
      this.#expect(':', "':' after the property name")
      this.#value()
      this.#space()
      if (this.#text[this.#pos] === '}') break
      this.#expect(',', "',' or '}'")
    }
    this.#pos++
  }

  #array (): void {
    this.#pos++
    this.#space()
    if (this.#text[this.#pos] === ']') {
      this.#pos++
      return
    }
    for (;;) {
      this.#space()
      if (this.#text[this.#pos] === ']') this.#fail('expected a value; trailing commas are not allowed in JSON')
      this.#value()
      this.#space()
      if (this.#text[this.#pos] === ']') break
      this.#expect(',', "',' or ']'")
    }
    this.#pos++
  }
}

function lineAndColumn (text: string, offset: number): { line: number, column: number } {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}

/** The first syntax error in `text` with its 1-based line and column, or undefined for valid JSON. */
export function findJsonSyntaxError (text: string): JsonSyntaxError | undefined {
  try {
    new Locator(text).document()
    return undefined
  } catch (error) {
    if (!(error instanceof SyntaxFailure)) throw error
    return { ...lineAndColumn(text, error.offset), message: error.message }
  }
}
