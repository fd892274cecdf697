import { describe, expect, it } from "vitest";
import { money, parseAmount } from "./money";

describe("money", () => {
  it("shows minor units with two decimals", () => {
    expect(money(1250, "USD")).toBe("12.50 USD");
    expect(money(5, "EUR")).toBe("0.05 EUR");
  });
  it("reads what the owner types, to the cent", () => {
    expect(parseAmount("12.5")).toBe(1250);
    expect(parseAmount("12,05")).toBe(1205);
    expect(parseAmount(" 7 ")).toBe(700);
    expect(parseAmount("0.1")).toBe(10);
  });
  it("refuses what is not an amount", () => {
    expect(parseAmount("")).toBeNull();
    expect(parseAmount("-1")).toBeNull();
    expect(parseAmount("1.234")).toBeNull();
    expect(parseAmount("ten")).toBeNull();
    expect(parseAmount("1e3")).toBeNull();
  });
});
