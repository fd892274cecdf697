// Orders: the newest first, their status and payment changed in place (each change goes to the
// merchant's webhooks as order_status_changed / payment_received), and an order taken by hand.
import { useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { OrderDto } from "../bindings/OrderDto";
import type { OrderStatus } from "../bindings/OrderStatus";
import type { PaymentStatus } from "../bindings/PaymentStatus";
import { useConfirm } from "../components/Confirm";
import { ActionError, Empty, ErrorState, Loading } from "../components/DataState";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { NewOrderForm } from "../orders/NewOrderForm";
import { money } from "../orders/money";

const STATUSES: OrderStatus[] = ["pending", "confirmed", "processing", "shipped", "delivered", "cancelled", "refunded"];
const PAYMENTS: PaymentStatus[] = ["unpaid", "pending", "paid", "failed", "refunded"];
const STATUS_WORDS: Record<OrderStatus, string> = {
  pending: "Pending",
  confirmed: "Confirmed",
  processing: "Being prepared",
  shipped: "Shipped",
  delivered: "Delivered",
  cancelled: "Cancelled",
  refunded: "Refunded",
};
const PAYMENT_WORDS: Record<PaymentStatus, string> = { unpaid: "Unpaid", pending: "Payment pending", paid: "Paid", failed: "Payment failed", refunded: "Refunded" };

function OrderRow({ order, onError }: { order: OrderDto; onError: (e: ApiError) => void }) {
  const [busy, setBusy] = useState(false);
  const confirm = useConfirm();
  // A change tells the merchant's systems at once and cannot be called back: it is asked
  // first, so that a stray arrow key on the list changes nothing.
  const change = async (request: { status?: OrderStatus; payment_status?: PaymentStatus }) => {
    const what = request.status !== undefined ? `“${STATUS_WORDS[request.status]}”` : `“${PAYMENT_WORDS[request.payment_status ?? "unpaid"]}”`;
    const yes = await confirm({
      title: `Mark ${order.order_number} as ${what}?`,
      body:
        request.status !== undefined
          ? "The merchant's systems are told at once (Order status changed), and the customer may be too. This cannot be called back."
          : "The merchant's systems are told at once about the payment. This cannot be called back.",
      confirm: request.status !== undefined ? `Mark as ${STATUS_WORDS[request.status]}` : `Mark as ${PAYMENT_WORDS[request.payment_status ?? "unpaid"]}`,
    });
    if (!yes) return;
    setBusy(true);
    api.updateOrder(order.id, request).then(
      () => {
        setBusy(false);
      },
      (e: unknown) => {
        setBusy(false);
        onError(toApiError(e));
      },
    );
  };
  return (
    <tr data-testid="order-row" data-order={order.order_number}>
      <td>
        <code>{order.order_number}</code>
      </td>
      <td>{order.customer_name ?? order.customer_phone ?? "—"}</td>
      <td>{order.items.map((i) => `${i.quantity}× ${i.name}`).join(", ")}</td>
      <td className="number">{money(order.total_minor, order.currency)}</td>
      <td>
        <select
          aria-label={`Status of ${order.order_number}`}
          value={order.status}
          disabled={busy}
          onChange={(e) => { void change({ status: e.target.value as OrderStatus }); }}
          data-testid="order-status"
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_WORDS[s]}
            </option>
          ))}
        </select>
      </td>
      <td>
        <select
          aria-label={`Payment of ${order.order_number}`}
          value={order.payment_status}
          disabled={busy}
          onChange={(e) => { void change({ payment_status: e.target.value as PaymentStatus }); }}
          data-testid="order-payment"
        >
          {PAYMENTS.map((s) => (
            <option key={s} value={s}>
              {PAYMENT_WORDS[s]}
            </option>
          ))}
        </select>
      </td>
      <td>{new Date(order.created_at).toLocaleString()}</td>
    </tr>
  );
}

export function OrdersPage() {
  const [tick, setTick] = useState(0);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const page = useApi(() => api.orders({ limit: 100 }), [tick]);
  useEvents((event) => {
    if (event.type === "order.saved" || event.type === "events.lagged") setTick((t) => t + 1);
  });
  return (
    <section aria-labelledby="orders-title">
      <header className="page-header">
        <h1 id="orders-title">Orders</h1>
        <p className="subtitle">Move an order on and the merchant's systems hear of it through their webhooks.</p>
      </header>
      {creating ? (
        <NewOrderForm
          onCreated={() => {
            setCreating(false);
            setTick((t) => t + 1);
          }}
          onCancel={() => { setCreating(false); }}
        />
      ) : (
        <div className="button-row">
          <button type="button" onClick={() => { setCreating(true); }} data-testid="order-new">
            New order
          </button>
        </div>
      )}
      <ActionError error={error} testId="order-error" />
      {page.status === "error" && page.data === undefined ? (
        <ErrorState error={page.error} onRetry={page.reload} />
      ) : page.data === undefined ? (
        <Loading label="Loading orders…" />
      ) : page.data.items.length === 0 ? (
        <Empty title="No orders yet">Orders the bot takes appear here; you can also add one by hand.</Empty>
      ) : (
        <table className="data-table" data-testid="order-rows">
          <thead>
            <tr>
              <th>Order</th>
              <th>Customer</th>
              <th>Items</th>
              <th>Total</th>
              <th>Status</th>
              <th>Payment</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((o) => (
              <OrderRow key={o.id} order={o} onError={setError} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
