// Which merchant something belongs to: the known merchants, and one choice of the form's own
// after them (a new merchant, or none).
import type { MerchantDto } from "../bindings/MerchantDto";

export function MerchantField({ merchants, value, onChange, last, testId }: {
  merchants: MerchantDto[];
  value: string;
  onChange: (id: string) => void;
  /** The option after the merchants: its value and label. */
  last: { value: string; label: string };
  testId: string;
}) {
  return (
    <label className="field">
      <span className="field-label">Merchant</span>
      <select value={value} onChange={(e) => { onChange(e.target.value); }} data-testid={testId}>
        {merchants.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
        <option value={last.value}>{last.label}</option>
      </select>
    </label>
  );
}
