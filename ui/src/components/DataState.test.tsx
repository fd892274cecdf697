import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { Empty, ErrorState } from "./DataState";

describe("states", () => {
  it("an error shows its sentence and its code, never an object dump", () => {
    const html = renderToString(<ErrorState error={new ApiError("store.busy", "The store is busy.")} />);
    expect(html).toContain("The store is busy.");
    expect(html).toContain("store.busy");
    expect(html).not.toContain("[object");
  });

  it("an unreachable backend is named as such", () => {
    const html = renderToString(<ErrorState error={new ApiError("client.unreachable", "down")} />);
    expect(html).toContain("cannot be reached");
  });

  it("an empty list says what to do", () => {
    expect(renderToString(<Empty title="No activity yet">Changes appear here.</Empty>)).toContain("Changes appear here.");
  });
});
