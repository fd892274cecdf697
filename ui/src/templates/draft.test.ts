import { describe, expect, it } from "vitest";
import { emptyContent, fill, placeholders, syncVariables } from "./draft";

describe("draft helpers", () => {
  it("finds placeholders per part and keys them as the core does", () => {
    const c = {
      ...emptyContent(),
      parameter_format: "positional" as const,
      header: { type: "text" as const, text: "For {{1}}" },
      body: "Hi {{1}}, order {{2}} \\{{literal}}",
      buttons: [{ type: "url" as const, label: "Open", url: "https://x.example/{{1}}" }],
    };
    expect(placeholders(c).map((p) => p.key)).toEqual(["header.1", "1", "2", "button.0.1"]);
  });

  it("keeps examples by name as placeholders come and go", () => {
    let c = { ...emptyContent(), body: "Hi {{name}} and {{order_id}}" };
    c = syncVariables(c);
    c = { ...c, variables: c.variables.map((v) => (v.name === "name" ? { ...v, example: "Amina" } : v)) };
    c = syncVariables({ ...c, body: "Hello {{name}}" });
    expect(c.variables).toEqual([{ name: "name", example: "Amina" }]);
  });

  it("fills examples for the preview and keeps escapes literal", () => {
    const c = { ...emptyContent(), body: "Hi {{name}} {{other}} \\{{x}}", variables: [{ name: "name", example: "Amina" }] };
    expect(fill(c.body, c, "body")).toBe("Hi Amina {{other}} {{x}}");
  });

  it("gives examples back when a variable returns to the text", () => {
    const memory = new Map<string, string>();
    let c = syncVariables({ ...emptyContent(), body: "Hi {{name}}", variables: [{ name: "name", example: "Amina" }] }, memory);
    c = syncVariables({ ...c, body: "" }, memory);
    expect(c.variables).toEqual([]);
    c = syncVariables({ ...c, body: "Hello {{name}}" }, memory);
    expect(c.variables).toEqual([{ name: "name", example: "Amina" }]);
  });
});
