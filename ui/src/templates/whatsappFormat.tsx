// WhatsApp's text formatting, drawn the way the app draws it: *bold*, _italic_, ~strike~,
// ```monospace``` (may span lines), `inline code`, "* " / "- " bullet lines, "1. " numbered
// lines and "> " quotes. Builds React nodes (never HTML strings), so message text cannot inject
// markup.
import type { ReactNode } from "react";

const INLINE: Record<string, "strong" | "em" | "s" | "code"> = { "*": "strong", _: "em", "~": "s", "`": "code" };

function isBoundary(ch: string | undefined): boolean {
  return ch === undefined || /[\s.,;:!?()[\]{}"'-]/.test(ch);
}

/** Inline markers on one line: a marker opens after a boundary and before a non-space, and
 * closes after a non-space and before a boundary; markers nest. */
export function formatInline(text: string, key = "i"): ReactNode[] {
  const out: ReactNode[] = [];
  let plain = "";
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    const tag = INLINE[ch];
    const next = text.charAt(i + 1);
    if (tag !== undefined && isBoundary(i === 0 ? undefined : text.charAt(i - 1)) && next !== "" && !/\s/.test(next)) {
      let close = -1;
      for (let j = i + 2; j < text.length; j++) {
        if (text.charAt(j) === ch && !/\s/.test(text.charAt(j - 1)) && isBoundary(j + 1 < text.length ? text.charAt(j + 1) : undefined)) {
          close = j;
          break;
        }
      }
      if (close > i) {
        if (plain !== "") out.push(plain);
        plain = "";
        const inner = text.slice(i + 1, close);
        const Tag = tag;
        out.push(<Tag key={`${key}-${String(i)}`}>{tag === "code" ? inner : formatInline(inner, `${key}-${String(i)}`)}</Tag>);
        i = close + 1;
        continue;
      }
    }
    plain += ch;
    i += 1;
  }
  if (plain !== "") out.push(plain);
  return out;
}

function formatLines(text: string, key: string): ReactNode[] {
  const lines = text.split("\n");
  return lines.map((line, n) => {
    const k = `${key}-${String(n)}`;
    const last = n === lines.length - 1;
    const bullet = /^[*-] (.*)$/.exec(line);
    const numbered = /^(\d+)\. (.*)$/.exec(line);
    const quote = /^> ?(.*)$/.exec(line);
    if (bullet) {
      return (
        <span key={k} className="wa-li">
          • {formatInline(bullet[1] ?? "", k)}
          {!last && "\n"}
        </span>
      );
    }
    if (numbered) {
      return (
        <span key={k} className="wa-li">
          {numbered[1]}. {formatInline(numbered[2] ?? "", k)}
          {!last && "\n"}
        </span>
      );
    }
    if (quote) {
      return (
        <span key={k} className="wa-quote">
          {formatInline(quote[1] ?? "", k)}
          {!last && "\n"}
        </span>
      );
    }
    return (
      <span key={k}>
        {formatInline(line, k)}
        {!last && "\n"}
      </span>
    );
  });
}

/** A whole message body. */
export function formatWhatsApp(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const parts = text.split("```");
  // Odd parts are between ``` pairs; an unpaired trailing ``` is shown as typed.
  parts.forEach((part, n) => {
    const inMono = n % 2 === 1 && n < parts.length - 1;
    if (inMono) {
      out.push(
        <code key={`m${String(n)}`} className="wa-mono">
          {part}
        </code>,
      );
    } else {
      const prefix = n % 2 === 1 ? "```" : "";
      out.push(...formatLines(prefix + part, `p${String(n)}`));
    }
  });
  return out;
}
