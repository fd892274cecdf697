export function App() {
  return (
    <main className="welcome">
      <h1>botdesk</h1>
      <p>The admin desk of your WhatsApp shop bot: templates, media, queues and webhooks.</p>
    </main>
  );
}
