//! Deleting a file that something shows, with another file taking its place: each template
//! whose header showed it gets a new version showing the replacement (its status kept), each
//! product shows the replacement where it showed the old one. Done in the delete's own
//! transaction, so a template is never left pointing at a deleted file.

use botdesk_media::library::{self, UseKind};
use botdesk_store::tables::media_files::MediaFile;
use botdesk_store::tables::product_media;
use botdesk_store::{Id, Stored, Tx};
use botdesk_templates::versions;

use crate::error::CoreError;
use crate::events::Event;

/// What the replacement changed: the templates that got a new version (to announce).
#[derive(Debug)]
pub struct Replaced {
    pub templates: Vec<Event>,
}

/// Moves every use of `old` to `replacement` (a live file of the same kind, not `old` itself).
pub fn move_uses(
    tx: &Tx<'_>,
    old: &Stored<MediaFile>,
    replacement: &str,
    actor: &str,
) -> Result<Replaced, CoreError> {
    let replacement_id: Id = library::parse_id(replacement)?;
    if replacement_id == old.meta.id {
        return Err(CoreError::invalid_field(
            "media.replacement_is_itself",
            "replace_with",
            "a file cannot replace itself: choose another one",
        ));
    }
    let new = library::get(tx, replacement_id).map_err(|_| {
        CoreError::invalid_field(
            "media.replacement_not_found",
            "replace_with",
            format!("there is no file {replacement} in the library to use instead"),
        )
    })?;
    if new.data.kind != old.data.kind {
        return Err(CoreError::invalid_field(
            "media.replacement_kind",
            "replace_with",
            format!(
                "{} is not the same kind of file as {}: a photo is replaced by a photo",
                new.data.file_name, old.data.file_name
            ),
        ));
    }
    let summary = format!(
        "Header: {} (deleted) replaced by {}",
        old.data.file_name, new.data.file_name
    );
    let mut templates = Vec::new();
    for used in library::uses(tx, old.meta.id)? {
        if used.kind != UseKind::TemplateHeader {
            continue;
        }
        let id: Id = used
            .id
            .parse()
            .map_err(|_| CoreError::Media(library::LibraryError::NotFound(used.id.clone())))?;
        let saved = versions::replace_header_media(tx, id, replacement, &summary, actor)?;
        templates.push(Event::TemplateUpdated {
            id: saved.template.meta.id.to_string(),
            name: saved.template.data.name.clone(),
            version: saved.template.data.version,
        });
    }
    for link in product_media::for_media(tx, old.meta.id)? {
        if link.is_deleted() {
            continue;
        }
        library::link_product(
            tx,
            replacement_id,
            &link.data.product_id.to_string(),
            Some(link.data.position),
            link.data.is_primary,
        )?;
    }
    Ok(Replaced { templates })
}
