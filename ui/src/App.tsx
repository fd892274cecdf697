import { AppFrame } from "./components/AppFrame";
import { ConfirmProvider } from "./components/Confirm";
import { ToastProvider } from "./components/Toasts";
import { StartupError } from "./components/StartupError";
import { KeyPrompt } from "./components/KeyPrompt";
import { StatusBanner } from "./components/StatusBanner";
import { useBackendStatus } from "./hooks/useBackendStatus";
import { type Page, useRoute } from "./hooks/useRoute";
import { ActivityPage } from "./pages/ActivityPage";
import { MediaPage } from "./pages/MediaPage";
import { OrdersPage } from "./pages/OrdersPage";
import { QueuesPage } from "./pages/QueuesPage";
import { SettingsPage } from "./pages/SettingsPage";
import { SyncPage } from "./pages/SyncPage";
import { TemplatesPage } from "./pages/TemplatesPage";
import { WebhooksPage } from "./pages/WebhooksPage";
import { TemplateEditor } from "./templates/TemplateEditor";

function PageView({ page, subpath }: { page: Page; subpath: string }) {
  switch (page) {
    case "templates":
      return subpath === "" ? <TemplatesPage /> : <TemplateEditor id={subpath} />;
    case "activity":
      return <ActivityPage />;
    case "settings":
      return <SettingsPage />;
    case "queues":
      return <QueuesPage subpath={subpath} />;
    case "media":
      return <MediaPage subpath={subpath} />;
    case "orders":
      return <OrdersPage />;
    case "sync":
      return <SyncPage />;
    case "webhooks":
      return <WebhooksPage subpath={subpath} />;
  }
}

export function App() {
  const { page, subpath } = useRoute();
  const { status, recheck } = useBackendStatus();
  if (status.state === "failed") {
    return <StartupError error={status.error} />;
  }
  if (status.state === "needs-key") {
    return (
      <KeyPrompt
        onSaved={() => {
          // A new key also has to reach the event stream: start over with it.
          window.location.reload();
        }}
      />
    );
  }
  return (
    <ConfirmProvider>
      <ToastProvider>
        <AppFrame page={page} focusKey={page === "templates" ? `${page}/${subpath}` : page} banner={<StatusBanner status={status} onRetry={recheck} />}>
          {/* A new subpath is a new page, except in the queue monitor and the media library, which
              keep their filters, paging and uploads while an item is opened and closed. */}
          <PageView key={page === "queues" || page === "media" || page === "webhooks" ? page : `${page}/${subpath}`} page={page} subpath={subpath} />
        </AppFrame>
      </ToastProvider>
    </ConfirmProvider>
  );
}
