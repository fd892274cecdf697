// Short news about a change just made, at the foot of the window, with Undo where the change
// is cheap to reverse. A toast goes by itself after a while; Undo works until then.
import { type ReactNode, createContext, useCallback, useContext, useEffect, useState } from "react";

export type ToastRequest = { text: string; undo?: () => void; tone?: "ok" | "error" };
type Toast = ToastRequest & { id: number };

const SHOW_MS = 8000;
const ToastContext = createContext<((toast: ToastRequest) => void) | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const show = useCallback((toast: ToastRequest) => {
    setToasts((all) => [...all.slice(-2), { ...toast, id: Date.now() + Math.random() }]);
  }, []);
  const dismiss = (id: number) => {
    setToasts((all) => all.filter((t) => t.id !== id));
  };
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDone={() => { dismiss(t.id); }} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDone }: { toast: Toast; onDone: () => void }) {
  useEffect(() => {
    const timer = setTimeout(onDone, SHOW_MS);
    return () => {
      clearTimeout(timer);
    };
  }, [onDone]);
  return (
    <div className={`toast toast-${toast.tone ?? "ok"}`} data-testid="toast">
      <span>{toast.text}</span>
      {toast.undo !== undefined && (
        <button
          type="button"
          className="secondary"
          onClick={() => {
            toast.undo?.();
            onDone();
          }}
          data-testid="toast-undo"
        >
          Undo
        </button>
      )}
      <button type="button" className="link-button" aria-label="Dismiss" onClick={onDone}>
        ×
      </button>
    </div>
  );
}

export function useToast(): (toast: ToastRequest) => void {
  const show = useContext(ToastContext);
  if (show === null) throw new Error("useToast outside ToastProvider");
  return show;
}
