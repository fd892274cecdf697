import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { formatWhatsApp } from "./whatsappFormat";

const html = (text: string) => renderToStaticMarkup(<>{formatWhatsApp(text)}</>);

describe("WhatsApp formatting", () => {
  it("draws the inline styles", () => {
    expect(html("a *bold* b")).toContain("<strong>bold</strong>");
    expect(html("_italic_ and ~gone~")).toContain("<em>italic</em>");
    expect(html("_italic_ and ~gone~")).toContain("<s>gone</s>");
    expect(html("use `code` here")).toContain("<code>code</code>");
    expect(html("*_both_*")).toContain("<strong><em>both</em></strong>");
  });

  it("leaves markers that do not pair as typed", () => {
    expect(html("2 * 3 * 4")).toBe("<span>2 * 3 * 4</span>");
    expect(html("snake_case_name")).toBe("<span>snake_case_name</span>");
    expect(html("*not closed")).toBe("<span>*not closed</span>");
  });

  it("draws monospace blocks, lists and quotes", () => {
    expect(html("```a *b*\nc```")).toContain('<code class="wa-mono">a *b*\nc</code>');
    expect(html("- one\n* two")).toContain("• one");
    expect(html("1. first")).toContain("1. first");
    expect(html("> said")).toContain('<span class="wa-quote">said</span>');
  });

  it("never turns text into markup", () => {
    expect(html("<img src=x onerror=alert(1)>")).toContain("&lt;img");
  });
});
