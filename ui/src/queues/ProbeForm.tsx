// "Send a test job": the probe every queue runs, to check a queue works (or to see how it
// retries a job that fails).
import { type SyntheticEvent, useState } from "react";
import { api } from "../api/client";
import { type ApiError, toApiError } from "../api/errors";
import type { Probe } from "../bindings/Probe";
import { ErrorState } from "../components/DataState";

export function ProbeForm({ queue, onSent }: { queue: string; onSent: (id: number) => void }) {
  const [note, setNote] = useState("test from the Queues page");
  const [failAttempts, setFailAttempts] = useState(0);
  const [maxAttempts, setMaxAttempts] = useState(3);
  const [workMs, setWorkMs] = useState(0);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    const payload: Probe = { note, work_ms: workMs, fail_attempts: failAttempts, panic: false };
    setBusy(true);
    setFailure(null);
    api
      .enqueue(queue, {
        name: "probe",
        payload,
        options: {
          priority: "normal",
          delay_ms: 0,
          max_attempts: maxAttempts,
          backoff: { type: "exponential", base_ms: 1000, cap_ms: 60_000 },
          timeout_ms: 60_000 + workMs,
          idempotency_key: null,
        },
      })
      .then(
        (enqueued) => {
          setBusy(false);
          onSent(enqueued.id);
        },
        (error: unknown) => {
          setBusy(false);
          setFailure(toApiError(error));
        },
      );
  };


  return (
    <details className="card probe-form">
      <summary data-testid="probe-open">Send a test job</summary>
      <form onSubmit={submit} className="toolbar">
        <label>
          Note
          <input value={note} onChange={(e) => { setNote(e.target.value); }} maxLength={200} />
        </label>
        <NumberField
          label="Fail the first attempts"
          testId="probe-fail-attempts"
          min={0}
          max={1000}
          value={failAttempts}
          onChange={setFailAttempts}
        />
        <NumberField
          label="Attempts allowed"
          testId="probe-max-attempts"
          min={1}
          max={1000}
          value={maxAttempts}
          onChange={setMaxAttempts}
        />
        <NumberField
          label="Work (ms)"
          testId="probe-work-ms"
          min={0}
          max={600000}
          value={workMs}
          onChange={setWorkMs}
        />
        <button type="submit" className="primary" disabled={busy} data-testid="probe-send">
          Send
        </button>
      </form>
      {failure !== null && <ErrorState error={failure} />}
    </details>
  );
}

/** A whole-number input; what does not parse counts as 0 (the core refuses what is out of range). */
function NumberField({
  label,
  testId,
  min,
  max,
  value,
  onChange,
}: {
  label: string;
  testId: string;
  min: number;
  max: number;
  value: number;
  onChange: (n: number) => void;
}) {
  return (
    <label>
      {label}
      <input
        type="number"
        min={min}
        max={max}
        value={value}
        data-testid={testId}
        onChange={(e) => {
          const n = Number.parseInt(e.target.value, 10);
          onChange(Number.isNaN(n) ? 0 : n);
        }}
      />
    </label>
  );
}
