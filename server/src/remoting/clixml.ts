/**
 * PowerShell started with -EncodedCommand (or -OutputFormat xml) and redirected streams writes
 * its error, warning, verbose and progress streams to stderr as CLIXML: `#< CLIXML` then
 * `<Objs …><S S="Error">text_x000D__x000A_</S>…</Objs>`, characters that are not valid in XML
 * names or content escaped as `_xHHHH_` (and XML entities on top). This turns that into the text
 * a person would have seen: the Error (and Warning) strings, progress records dropped, terminal
 * colour sequences removed. Anything that is not CLIXML is returned unchanged.
 */

const MARKER = '#< CLIXML';
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** `_x000D__x000A_` → CR LF; `_x005F_` is an escaped underscore. */
function decodeHexEscapes(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** ANSI/VT colour and style sequences PowerShell 7 puts around error text. */
function stripTerminalSequences(text: string): string {
  // eslint-disable-next-line no-control-regex -- ESC is exactly what is being removed
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

/** The readable text of one CLIXML document's Error and Warning strings (Objects of S="Error" give their ToString). */
function readObjs(xml: string): string[] {
  const lines: string[] = [];
  // Stream names are "Error" and "warning" (as PowerShell writes them); matched case-insensitively.
  const pattern = /<S S="(Error|Warning)">([\s\S]*?)<\/S>|<Obj S="(Error|Warning)"[^>]*>[\s\S]*?<ToString>([\s\S]*?)<\/ToString>/gi;
  for (const match of xml.matchAll(pattern)) {
    const stream = (match[1] ?? match[3] ?? '').toLowerCase();
    const raw = match[2] ?? match[4] ?? '';
    const text = stripTerminalSequences(decodeHexEscapes(decodeEntities(raw)));
    // An error record's lines carry their own CR LF; a warning or a whole object is one line.
    lines.push(stream === 'warning' ? `WARNING: ${text.trimEnd()}\n` : match[4] !== undefined ? `${text.trimEnd()}\n` : text);
  }
  return lines;
}

/** Readable stderr: CLIXML blocks decoded, other text kept as it was. */
export function decodeClixml(stderr: string): string {
  if (!stderr.includes(MARKER)) return stderr;
  const parts = stderr.split(MARKER);
  const out: string[] = [];
  if (parts[0]!.trim() !== '') out.push(parts[0]!.trimEnd());
  for (const part of parts.slice(1)) {
    const start = part.indexOf('<Objs');
    const end = part.lastIndexOf('</Objs>');
    if (start < 0 || end < 0) {
      out.push(part.trim());
      continue;
    }
    out.push(readObjs(part.slice(start, end)).join('').replace(/\r\n/g, '\n').trimEnd());
    const after = part.slice(end + '</Objs>'.length).trim();
    if (after !== '') out.push(after);
  }
  return out.filter((s) => s !== '').join('\n');
}
