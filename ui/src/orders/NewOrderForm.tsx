// An order taken by hand: its merchant, the customer, and its lines. The bot's own orders come
// in through sync and the API; this is for the phone call or the counter.
import { useState } from "react";
import { api } from "../api/client";
import { ActionError } from "../components/DataState";
import { useAction } from "../hooks/useAction";
import { useApi } from "../hooks/useApi";
import { MerchantField } from "../merchants/MerchantField";
import { parseAmount } from "./money";

type Line = { name: string; quantity: string; price: string };

const EMPTY_LINE: Line = { name: "", quantity: "1", price: "" };

export function NewOrderForm({ onCreated, onCancel }: { onCreated: () => void; onCancel: () => void }) {
  const merchants = useApi(() => api.merchants(), []);
  const [merchant, setMerchant] = useState("");
  const [customerName, setCustomerName] = useState("");
  const [customerPhone, setCustomerPhone] = useState("");
  const [lines, setLines] = useState<Line[]>([EMPTY_LINE]);
  const { busy, error, setError, run } = useAction();
  const list = merchants.data ?? [];
  const chosen = merchant !== "" ? merchant : (list[0]?.id ?? "");

  const setLine = (n: number, change: Partial<Line>) => {
    setLines((all) => all.map((l, i) => (i === n ? { ...l, ...change } : l)));
  };

  const submit = () => {
    setError(null);
    const items = [];
    for (const [n, l] of lines.entries()) {
      const quantity = Number(l.quantity);
      const price = parseAmount(l.price);
      if (!Number.isInteger(quantity) || quantity < 1) {
        setError(`Line ${n + 1}: the quantity is a whole number from 1.`);
        return;
      }
      if (price === null) {
        setError(`Line ${n + 1}: the price is an amount such as 12.50.`);
        return;
      }
      items.push({ name: l.name, quantity, unit_price_minor: price });
    }
    run(
      api.createOrder({
        ...(chosen === "" ? {} : { merchant_id: chosen }),
        customer_name: customerName,
        customer_phone: customerPhone,
        items,
      }),
      onCreated,
    );
  };

  return (
    <form
      className="card"
      aria-label="New order"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>New order</h2>
      <div className="field-row">
        <MerchantField merchants={list} value={chosen} onChange={setMerchant} last={{ value: "", label: "None (the owner's own)" }} testId="order-merchant" />
        <label className="field">
          <span className="field-label">Customer</span>
          <input value={customerName} onChange={(e) => { setCustomerName(e.target.value); }} data-testid="order-customer" />
        </label>
        <label className="field">
          <span className="field-label">WhatsApp number</span>
          <input value={customerPhone} inputMode="tel" onChange={(e) => { setCustomerPhone(e.target.value); }} placeholder="+254 712 345 678" data-testid="order-phone" />
        </label>
      </div>
      {lines.map((l, n) => (
        // Lines have no identity but their place.
        <div className="field-row" key={n}>
          <label className="field">
            <span className="field-label">Item</span>
            <input value={l.name} onChange={(e) => { setLine(n, { name: e.target.value }); }} data-testid="order-item-name" />
          </label>
          <label className="field">
            <span className="field-label">Quantity</span>
            <input inputMode="numeric" value={l.quantity} onChange={(e) => { setLine(n, { quantity: e.target.value }); }} />
          </label>
          <label className="field">
            <span className="field-label">Unit price</span>
            <input inputMode="decimal" value={l.price} onChange={(e) => { setLine(n, { price: e.target.value }); }} placeholder="12.50" data-testid="order-item-price" />
          </label>
          {lines.length > 1 && (
            <button type="button" className="secondary" onClick={() => { setLines((all) => all.filter((_, i) => i !== n)); }}>
              Remove
            </button>
          )}
        </div>
      ))}
      <div className="button-row">
        <button type="button" className="secondary" onClick={() => { setLines((all) => [...all, EMPTY_LINE]); }}>
          Add a line
        </button>
      </div>
      <ActionError error={error} testId="order-form-error" />
      <div className="button-row">
        <button type="submit" disabled={busy} data-testid="order-create">
          Create order
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
