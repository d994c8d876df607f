/** "RFC 9110, Section 15.5.5 (https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5)" */
export function rfcSection (rfc: number, section: string): string {
  return `RFC ${rfc}, Section ${section} (https://www.rfc-editor.org/rfc/rfc${rfc}#section-${section})`
}
