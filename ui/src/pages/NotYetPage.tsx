// Pages whose capability this version of botdesk does not have yet: said plainly.
import { Empty } from "../components/DataState";

const TEXT = {
  webhooks: {
    title: "Webhooks",
    subtitle: "Tell merchants' systems about orders, payments and deliveries.",
    body: "Webhook endpoints and deliveries are not in this version of botdesk yet.",
  },
} as const;

export function NotYetPage({ page }: { page: keyof typeof TEXT }) {
  const text = TEXT[page];
  return (
    <section aria-labelledby={`${page}-title`}>
      <header className="page-header">
        <h1 id={`${page}-title`}>{text.title}</h1>
        <p className="subtitle">{text.subtitle}</p>
      </header>
      <Empty title="Not available yet">{text.body}</Empty>
    </section>
  );
}
