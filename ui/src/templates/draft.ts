// What the editor does between two keystrokes, in the browser, to show the preview at once:
// find the placeholders of a draft (for display), keep its declared variables in step with
// them, and fill the examples in. Every rule stays the core's: the editor asks it (debounced)
// and shows what it says.
import type { Button } from "../bindings/Button";
import type { Header } from "../bindings/Header";
import type { TemplateContent } from "../bindings/TemplateContent";
import type { VariableDecl } from "../bindings/VariableDecl";

export function emptyContent(): TemplateContent {
  return {
    name: "",
    type: "text",
    category: "utility",
    language: "en",
    parameter_format: "named",
    header: { type: "none" },
    body: "",
    buttons: [],
    variables: [],
  };
}

/** One `{{…}}` found in a text, with the variable it stands for. */
export interface Found {
  key: string;
  name: string;
}

// `\{{` is a literal `{{`; a placeholder closes on its line and holds no braces.
const PLACEHOLDER = /\\\{\{|\\\}\}|\{\{([^{}\n]*)\}\}/g;

function placeholdersIn(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1];
    if (name !== undefined) names.push(name.trim());
  }
  return names;
}

/** The declared variable a placeholder of a part stands for (as the core keys them). */
function keyOf(format: TemplateContent["parameter_format"], part: string, name: string): string {
  if (format === "named" || part === "body") return name;
  return `${part}.${name}`;
}

function buttonText(button: Button): string | null {
  if (button.type === "url") return button.url;
  if (button.type === "copy_code") return button.code;
  return null;
}

/** Every placeholder of the draft, in reading order: header, body, buttons. */
export function placeholders(content: TemplateContent): Found[] {
  const found: Found[] = [];
  const add = (part: string, text: string) => {
    for (const name of placeholdersIn(text)) {
      if (name !== "") found.push({ key: keyOf(content.parameter_format, part, name), name });
    }
  };
  if (content.header.type === "text") add("header", content.header.text);
  add("body", content.body);
  content.buttons.forEach((button, i) => {
    const text = buttonText(button);
    if (text !== null) add(`button.${String(i)}`, text);
  });
  return found;
}

/** The declared variables for the placeholders now in the draft, keeping the examples already
 * typed (by name), in the order they first appear. `remembered` holds examples of variables
 * that left the text earlier in this edit (a body cleared and typed again gets them back). */
export function syncVariables(content: TemplateContent, remembered?: Map<string, string>): TemplateContent {
  const examples = new Map(remembered);
  for (const v of content.variables) {
    if (v.example !== "") examples.set(v.name, v.example);
  }
  remembered?.clear();
  for (const [name, example] of examples) remembered?.set(name, example);
  const seen = new Set<string>();
  const variables: VariableDecl[] = [];
  for (const { key } of placeholders(content)) {
    if (seen.has(key) || !/^[a-z0-9_.]+$/.test(key)) continue;
    seen.add(key);
    variables.push({ name: key, example: examples.get(key) ?? "" });
  }
  const same =
    variables.length === content.variables.length &&
    variables.every((v, i) => v.name === content.variables[i]?.name && v.example === content.variables[i].example);
  return same ? content : { ...content, variables };
}

/** A text with each placeholder replaced by its example, for the preview. Placeholders without
 * an example stay visible as typed. */
export function fill(text: string, content: TemplateContent, part: string): string {
  const examples = new Map(content.variables.map((v) => [v.name, v.example]));
  return text.replace(PLACEHOLDER, (match: string, name: string | undefined) => {
    if (name === undefined) return match.slice(1);
    const example = examples.get(keyOf(content.parameter_format, part, name.trim()));
    return example !== undefined && example !== "" ? example : match;
  });
}

export function headerOf(type: Header["type"], previous: Header): Header {
  switch (type) {
    case "none":
      return { type: "none" };
    case "text":
      return { type: "text", text: previous.type === "text" ? previous.text : "" };
    case "image":
    case "video":
    case "document":
      return { type, media_id: "media_id" in previous ? previous.media_id : "" };
  }
}

export function newButton(type: Button["type"]): Button {
  switch (type) {
    case "quick_reply":
      return { type, id: "", label: "" };
    case "url":
      return { type, label: "", url: "https://" };
    case "phone_number":
      return { type, label: "", phone_number: "+" };
    case "copy_code":
      return { type, code: "" };
  }
}

/** A name as WhatsApp takes it, from what the owner typed: "Order Shipped!" → `order_shipped`. */
export function slug(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** A template name while it is typed: lower case, spaces and dashes as `_`; anything else is
 * left for the core to explain. */
export function asTemplateName(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, "_");
}
