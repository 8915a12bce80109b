/**
 * Characters that change how the text around them reads without showing themselves: bidirectional
 * overrides and isolates (U+202E makes "invoice\u202Etxt.exe" read "invoiceexe.txt"; Unicode TR36
 * and CVE-2021-42574, "Trojan Source"), marks, zero-width spaces and joiners' look-alikes, the BOM,
 * and control characters other than tab and newlines (NUL, BEL, the ESC of a terminal sequence).
 * Untrusted text loses them before it is shown anywhere: Slack (plain text included), a terminal.
 * (The zero-width joiner U+200D stays: emoji sequences need it.)
 */
/** Whether a UTF-16 code unit is one of those characters. */
function invisible(code: number): boolean {
  if (code < 0x20) return code !== 0x09 && code !== 0x0a && code !== 0x0d;
  if (code >= 0x7f && code <= 0x9f) return true;
  if (code < 0x061c) return false;
  return (
    code === 0x061c ||
    code === 0x200b ||
    code === 0x200c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2064) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

export function visible(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (!invisible(text.charCodeAt(i))) continue;
    out += text.slice(from, i);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
