// The app's own confirmation: an in-app dialog (never window.confirm, which the desktop window
// may not show and which cannot say what breaks), awaited like a question.
import { type ReactNode, createContext, useCallback, useContext, useState } from "react";
import { Dialog } from "./Dialog";

export type ConfirmRequest = {
  title: string;
  body: ReactNode;
  /** The button that goes ahead, in words: "Delete the photo", not "OK". */
  confirm: string;
  danger?: boolean;
};

type Ask = (request: ConfirmRequest) => Promise<boolean>;

const ConfirmContext = createContext<Ask | null>(null);

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<{ request: ConfirmRequest; answer: (yes: boolean) => void } | null>(null);
  const ask = useCallback<Ask>(
    (request) =>
      new Promise<boolean>((resolve) => {
        setPending({ request, answer: resolve });
      }),
    [],
  );
  const answer = (yes: boolean) => {
    pending?.answer(yes);
    setPending(null);
  };
  return (
    <ConfirmContext.Provider value={ask}>
      {children}
      {pending !== null && (
        <Dialog title={pending.request.title} onClose={() => { answer(false); }} testId="confirm-dialog">
          <div className="dialog-body">{pending.request.body}</div>
          <div className="button-row dialog-actions">
            {/* The safe choice has focus: Enter on an unread dialog changes nothing. */}
            <button type="button" className="secondary" autoFocus onClick={() => { answer(false); }} data-testid="confirm-cancel">
              Cancel
            </button>
            <button type="button" className={pending.request.danger === true ? "danger" : undefined} onClick={() => { answer(true); }} data-testid="confirm-ok">
              {pending.request.confirm}
            </button>
          </div>
        </Dialog>
      )}
    </ConfirmContext.Provider>
  );
}

/** Ask the owner before a change they cannot take back. */
export function useConfirm(): Ask {
  const ask = useContext(ConfirmContext);
  if (ask === null) throw new Error("useConfirm outside ConfirmProvider");
  return ask;
}
