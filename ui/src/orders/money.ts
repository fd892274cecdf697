// Amounts as the owner reads and types them; the API keeps integer minor units (cents).

/** 1250, "USD" → "12.50 USD". */
export function money(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

/** "12.5" → 1250; null when the text is not an amount with at most two decimals. */
export function parseAmount(text: string): number | null {
  const t = text.trim().replace(",", ".");
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(t)) return null;
  const [whole = "0", cents = ""] = t.split(".");
  return Number(whole) * 100 + Number(cents.padEnd(2, "0"));
}
