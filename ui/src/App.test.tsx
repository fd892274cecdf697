import { describe, expect, it } from "vitest";
import { renderToString } from "react-dom/server";
import { App } from "./App";

describe("App", () => {
  it("names the app", () => {
    expect(renderToString(<App />)).toContain("botdesk");
  });
});
