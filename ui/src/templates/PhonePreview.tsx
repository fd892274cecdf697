// How the message looks on the customer's phone, drawn from the draft in the browser so that
// it follows every keystroke: the chat bubble with its header, formatted body and footer, and
// the buttons or list under it as WhatsApp draws them.
import type { TemplateContent } from "../bindings/TemplateContent";
import { fill } from "./draft";
import { formatWhatsApp } from "./whatsappFormat";

const MEDIA_ICON = { image: "🖼", video: "🎬", document: "📄" } as const;

export function PhonePreview({ content }: { content: TemplateContent }) {
  const header = content.header;
  const body = fill(content.body, content, "body");
  const buttons = content.buttons.map((b, i) => ({ button: b, text: b.type === "url" ? fill(b.url, content, `button.${String(i)}`) : "" }));
  return (
    <div className="phone" data-testid="phone-preview" aria-label="Preview on a phone">
      <div className="phone-bar">
        <span className="phone-avatar" aria-hidden="true">
          b
        </span>
        <span>Your shop</span>
      </div>
      <div className="chat">
        <div className="bubble">
          {header.type === "text" && (
            <div className="bubble-header" data-testid="preview-header">
              {formatWhatsApp(fill(header.text, content, "header"))}
            </div>
          )}
          {(header.type === "image" || header.type === "video" || header.type === "document") && (
            <div className="bubble-media" data-testid="preview-media">
              <span aria-hidden="true">{MEDIA_ICON[header.type]}</span> {header.type}
            </div>
          )}
          <div className="bubble-body" data-testid="preview-body">
            {body === "" ? <span className="muted">The message text appears here.</span> : formatWhatsApp(body)}
          </div>
          {content.footer !== undefined && content.footer !== "" && (
            <div className="bubble-footer" data-testid="preview-footer">
              {content.footer}
            </div>
          )}
          <div className="bubble-time">12:34</div>
          {content.type === "list" && content.list !== undefined && (
            <div className="bubble-action">☰ {content.list.button || "Options"}</div>
          )}
          {content.type === "cta_url" &&
            buttons
              .filter(({ button }) => button.type === "url")
              .map(({ button }, i) => (
                <div key={i} className="bubble-action">
                  ↗ {button.type === "url" ? button.label : ""}
                </div>
              ))}
        </div>
        {content.type !== "cta_url" && buttons.length > 0 && (
          <div className="chat-buttons" data-testid="preview-buttons">
            {buttons.map(({ button, text }, i) => (
              <div key={i} className="chat-button" title={text || undefined}>
                {button.type === "quick_reply" && button.label}
                {button.type === "url" && `↗ ${button.label}`}
                {button.type === "phone_number" && `☎ ${button.label}`}
                {button.type === "copy_code" && "⧉ Copy offer code"}
              </div>
            ))}
          </div>
        )}
        {content.type === "list" && content.list !== undefined && (
          <div className="list-sheet" data-testid="preview-list">
            {content.list.sections.map((section, s) => (
              <div key={s}>
                {section.title !== "" && <div className="list-section">{section.title}</div>}
                {section.rows.map((row, r) => (
                  <div key={r} className="list-row">
                    <div>{row.title}</div>
                    {row.description !== undefined && row.description !== "" && <div className="muted">{row.description}</div>}
                  </div>
                ))}
              </div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
