// How the message looks on the customer's phone, drawn from the draft in the browser so that
// it follows every keystroke: the chat bubble with its header, formatted body and footer, and
// the buttons or list under it as WhatsApp draws them.
import { api } from "../api/client";
import type { TemplateContent } from "../bindings/TemplateContent";
import { Icon } from "../components/Icon";
import { useApi } from "../hooks/useApi";
import { useEvents } from "../hooks/useEvents";
import { useMediaImage } from "../media/useMediaImage";
import { fill } from "./draft";
import { formatWhatsApp } from "./whatsappFormat";

/** The header's file as the customer sees it: the photo itself, or a video's or document's card. */
function PreviewMedia({ kind, mediaId }: { kind: "image" | "video" | "document"; mediaId: string }) {
  const detail = useApi(() => (mediaId === "" ? Promise.resolve(null) : api.mediaDetail(mediaId)), [mediaId]);
  // A photo just uploaded shows once its variants are made (or says why it cannot be).
  useEvents((event) => {
    const about = event.type === "media.processed" || event.type === "media.failed" ? event.media.id : event.type === "media.deleted" ? event.id : null;
    if (about === mediaId) detail.reload();
  });
  const media = detail.data !== undefined && detail.data !== null && detail.data.id === mediaId ? detail.data : null;
  const medium = media?.variants.find((v) => v.name === "medium")?.files.find((f) => f.format === "jpeg");
  const { url } = useMediaImage(mediaId, kind === "image" ? (medium?.sha256 ?? null) : null, { variant: "medium", format: "jpeg" }, "image/jpeg");
  if (kind === "image" && url !== null) return <img className="bubble-photo" src={url} alt={media?.file_name ?? ""} data-testid="preview-photo" />;
  return (
    <div className="bubble-media" data-testid="preview-media">
      <Icon name={kind} />
      <span>{media?.file_name ?? (mediaId === "" ? `No ${kind === "image" ? "photo" : kind} chosen` : kind === "image" ? "Preparing the photo…" : kind)}</span>
    </div>
  );
}

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
            <PreviewMedia kind={header.type} mediaId={header.media_id} />
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
            <div className="bubble-action">
              <Icon name="list" className="icon icon-inline" /> {content.list.button || "Options"}
            </div>
          )}
          {content.type === "cta_url" &&
            buttons
              .filter(({ button }) => button.type === "url")
              .map(({ button }, i) => (
                <div key={i} className="bubble-action">
                  <Icon name="link" className="icon icon-inline" /> {button.type === "url" ? button.label : ""}
                </div>
              ))}
        </div>
        {content.type !== "cta_url" && buttons.length > 0 && (
          <div className="chat-buttons" data-testid="preview-buttons">
            {buttons.map(({ button, text }, i) => (
              <div key={i} className="chat-button" title={text || undefined}>
                {button.type === "quick_reply" && button.label}
                {button.type === "url" && (
                  <>
                    <Icon name="link" className="icon icon-inline" /> {button.label}
                  </>
                )}
                {button.type === "phone_number" && (
                  <>
                    <Icon name="phone" className="icon icon-inline" /> {button.label}
                  </>
                )}
                {button.type === "copy_code" && (
                  <>
                    <Icon name="copy" className="icon icon-inline" /> Copy offer code
                  </>
                )}
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
