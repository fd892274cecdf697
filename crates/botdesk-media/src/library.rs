//! The media library: one `media_files` record per upload (several may share one content), what
//! processing made of it, which products and templates use it, and when its files may go. The
//! SQL lives here; moving bytes and running jobs is the caller's (`botdesk-core`).

use botdesk_store::rusqlite::Connection;
use botdesk_store::rusqlite::types::Value;
use botdesk_store::tables::media_files::{self, MediaFile, MediaKind as StoredKind, MediaStatus};
use botdesk_store::tables::merchants::Merchant;
use botdesk_store::tables::product_media::ProductMedia;
use botdesk_store::tables::products::Product;
use botdesk_store::{Filter, Id, Page, PageRequest, StoreError, Stored, Tx};
use serde::{Deserialize, Serialize};

use crate::process::{Encoding, Processed};
use crate::{Blob, Category, Inspected, MediaError};

/// What can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("media {0} not found")]
    NotFound(String),
    #[error("merchant {0:?} does not exist")]
    UnknownMerchant(String),
    #[error("product {0:?} does not exist")]
    UnknownProduct(String),
    #[error("the file is still used by {}; remove it there first, or delete with force", describe(.0))]
    InUse(Vec<Use>),
    #[error("stored media data cannot be read: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<botdesk_store::rusqlite::Error> for LibraryError {
    fn from(e: botdesk_store::rusqlite::Error) -> LibraryError {
        LibraryError::Store(StoreError::from(e))
    }
}

impl LibraryError {
    pub fn code(&self) -> &'static str {
        match self {
            LibraryError::Media(e) => e.code(),
            LibraryError::NotFound(_) => "media.not_found",
            LibraryError::UnknownMerchant(_) => "media.unknown_merchant",
            LibraryError::UnknownProduct(_) => "media.unknown_product",
            LibraryError::InUse(_) => "media.in_use",
            LibraryError::Unreadable(_) => "media.unreadable",
            LibraryError::Store(e) => e.code(),
        }
    }
}

fn describe(uses: &[Use]) -> String {
    uses.iter()
        .map(|u| format!("{} {:?}", u.kind.label(), u.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Something that shows a media file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Use {
    pub kind: UseKind,
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UseKind {
    Product,
    TemplateHeader,
}

impl UseKind {
    fn label(self) -> &'static str {
        match self {
            UseKind::Product => "product",
            UseKind::TemplateHeader => "template",
        }
    }
}

/// One encoded file of a variant, as recorded in `media_files.variants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantFile {
    pub sha256: String,
    pub bytes: u64,
    pub mime_type: String,
    pub quality: u8,
}

/// One variant, as recorded: its size and its files by format (`jpeg`, `webp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantRecord {
    pub width: u32,
    pub height: u32,
    pub files: std::collections::BTreeMap<String, VariantFile>,
}

pub type Variants = std::collections::BTreeMap<String, VariantRecord>;

pub fn variants_of(file: &MediaFile) -> Result<Variants, LibraryError> {
    serde_json::from_value(file.variants.clone())
        .map_err(|e| LibraryError::Unreadable(e.to_string()))
}

pub fn format_name(encoding: Encoding) -> &'static str {
    match encoding {
        Encoding::Jpeg => "jpeg",
        Encoding::Webp => "webp",
    }
}

/// What an upload says about itself.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub file_name: String,
    pub declared_mime: Option<String>,
    pub merchant_id: Option<String>,
}

/// A file name from outside, checked: a name, not a path.
pub fn clean_file_name(name: &str) -> Result<String, MediaError> {
    let bad = || MediaError::BadName {
        name: name.chars().take(100).collect(),
    };
    let trimmed = name.trim();
    if trimmed.is_empty()
        || trimmed.chars().count() > 255
        || trimmed == "."
        || trimmed.contains("..")
        || trimmed.contains(['/', '\\'])
        || trimmed.chars().any(char::is_control)
    {
        return Err(bad());
    }
    Ok(trimmed.to_owned())
}

pub fn parse_id(id: &str) -> Result<Id, LibraryError> {
    id.parse()
        .map_err(|_| LibraryError::NotFound(id.chars().take(100).collect()))
}

fn merchant(conn: &Connection, id: Option<&str>) -> Result<Option<Id>, LibraryError> {
    let Some(text) = id.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let unknown = || LibraryError::UnknownMerchant(text.chars().take(100).collect());
    let id: Id = text.parse().map_err(|_| unknown())?;
    match botdesk_store::find::<Merchant>(conn, id)? {
        Some(m) if !m.is_deleted() => Ok(Some(id)),
        _ => Err(unknown()),
    }
}

/// Checks an upload's merchant before any byte is stored.
pub fn check_merchant(conn: &Connection, upload: &Upload) -> Result<(), LibraryError> {
    merchant(conn, upload.merchant_id.as_deref()).map(|_| ())
}

fn stored_kind(category: Category) -> StoredKind {
    match category {
        Category::Image => StoredKind::Image,
        Category::Document => StoredKind::Document,
        Category::Video => StoredKind::Video,
        Category::Audio => StoredKind::Audio,
    }
}

/// Records an upload whose bytes are stored. Images wait for processing; other files are
/// ready as they are.
/// The live record that already holds this content for this merchant: uploading the same
/// photo twice opens the first one instead of making a second.
pub fn already_there(
    conn: &Connection,
    sha256: &str,
    upload: &Upload,
) -> Result<Option<Stored<MediaFile>>, LibraryError> {
    let merchant_id = merchant(conn, upload.merchant_id.as_deref())?;
    Ok(media_files::find_by_sha256(conn, sha256)?
        .into_iter()
        .find(|f| f.data.merchant_id == merchant_id))
}

pub fn add(
    tx: &Tx<'_>,
    blob: &Blob,
    inspected: &Inspected,
    upload: &Upload,
) -> Result<Stored<MediaFile>, LibraryError> {
    let merchant_id = merchant(tx, upload.merchant_id.as_deref())?;
    let category = inspected.kind.category();
    let record = MediaFile {
        owner_id: None,
        merchant_id,
        sha256: blob.sha256.clone(),
        file_name: clean_file_name(&upload.file_name)?,
        mime_type: inspected.kind.mime().to_owned(),
        declared_mime_type: upload
            .declared_mime
            .as_deref()
            .map(|m| m.chars().take(127).collect()),
        kind: stored_kind(category),
        size_bytes: i64::try_from(blob.bytes).unwrap_or(i64::MAX),
        width: inspected.dimensions.map(|(w, _)| i64::from(w)),
        height: inspected.dimensions.map(|(_, h)| i64::from(h)),
        status: if category == Category::Image {
            MediaStatus::Pending
        } else {
            MediaStatus::Ready
        },
        variants: serde_json::json!({}),
        failed_reason: None,
        metadata_stripped: false,
        had_location: false,
    };
    Ok(botdesk_store::insert(tx, record)?)
}

/// A live record.
pub fn get(conn: &Connection, id: Id) -> Result<Stored<MediaFile>, LibraryError> {
    match botdesk_store::find::<MediaFile>(conn, id)? {
        Some(file) if !file.is_deleted() => Ok(file),
        _ => Err(LibraryError::NotFound(id.to_string())),
    }
}

pub fn set_status(
    tx: &Tx<'_>,
    id: Id,
    status: MediaStatus,
) -> Result<Stored<MediaFile>, LibraryError> {
    let mut file = get(tx, id)?;
    file.data.status = status;
    if status != MediaStatus::Failed {
        file.data.failed_reason = None;
    }
    Ok(botdesk_store::update(tx, id, file.data)?)
}

/// Records what processing made: the variants and their files (already stored), the upright
/// size, and that no derived file carries metadata.
pub fn processed(
    tx: &Tx<'_>,
    id: Id,
    result: &Processed,
    files: &[(usize, Blob)],
) -> Result<Stored<MediaFile>, LibraryError> {
    let mut file = get(tx, id)?;
    let mut variants = Variants::new();
    for (index, blob) in files {
        let Some(output) = result.outputs.get(*index) else {
            continue;
        };
        let entry = variants
            .entry(output.variant.clone())
            .or_insert_with(|| VariantRecord {
                width: output.width,
                height: output.height,
                files: Default::default(),
            });
        entry.files.insert(
            format_name(output.encoding).to_owned(),
            VariantFile {
                sha256: blob.sha256.clone(),
                bytes: blob.bytes,
                mime_type: output.encoding.mime().to_owned(),
                quality: output.quality,
            },
        );
    }
    file.data.variants =
        serde_json::to_value(&variants).map_err(|e| LibraryError::Unreadable(e.to_string()))?;
    file.data.width = Some(i64::from(result.width));
    file.data.height = Some(i64::from(result.height));
    file.data.status = MediaStatus::Ready;
    file.data.failed_reason = None;
    file.data.metadata_stripped = true;
    file.data.had_location = result.had_location;
    Ok(botdesk_store::update(tx, id, file.data)?)
}

pub fn failed(tx: &Tx<'_>, id: Id, reason: &str) -> Result<Stored<MediaFile>, LibraryError> {
    let mut file = get(tx, id)?;
    file.data.status = MediaStatus::Failed;
    file.data.failed_reason = Some(reason.chars().take(1000).collect());
    Ok(botdesk_store::update(tx, id, file.data)?)
}

/// What shows this media file: products and template headers.
pub fn uses(conn: &Connection, id: Id) -> Result<Vec<Use>, LibraryError> {
    let mut uses = Vec::new();
    let mut products = conn.prepare_cached(
        "SELECT p.id, p.name FROM product_media pm JOIN products p ON p.id = pm.product_id
         WHERE pm.media_id = ?1 AND pm.deleted_at IS NULL AND p.deleted_at IS NULL
         ORDER BY p.name",
    )?;
    for row in products.query_map([id.to_string()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (id, name) = row.map_err(StoreError::from)?;
        uses.push(Use {
            kind: UseKind::Product,
            id,
            name,
        });
    }
    let mut templates = conn.prepare_cached(
        "SELECT id, name FROM message_templates
         WHERE header_media_id = ?1 AND deleted_at IS NULL ORDER BY name",
    )?;
    for row in templates.query_map([id.to_string()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (id, name) = row.map_err(StoreError::from)?;
        uses.push(Use {
            kind: UseKind::TemplateHeader,
            id,
            name,
        });
    }
    Ok(uses)
}

/// The content hashes a record holds: the original and every variant file.
pub fn contents(file: &MediaFile) -> Vec<String> {
    let mut all = vec![file.sha256.clone()];
    if let Ok(variants) = variants_of(file) {
        for variant in variants.values() {
            all.extend(variant.files.values().map(|f| f.sha256.clone()));
        }
    }
    all.sort();
    all.dedup();
    all
}

/// Removes a record. A file still used is refused with the list of its uses, unless `force`,
/// which also ends its product links (a template keeps its reference and shows it missing).
/// Returns the contents no live record holds any more: the caller deletes those files after
/// the commit.
pub fn remove(
    tx: &Tx<'_>,
    id: Id,
    force: bool,
) -> Result<(Stored<MediaFile>, Vec<String>), LibraryError> {
    let file = get(tx, id)?;
    let uses = uses(tx, id)?;
    if !uses.is_empty() && !force {
        return Err(LibraryError::InUse(uses));
    }
    for link in botdesk_store::tables::product_media::for_media(tx, id)? {
        if !link.is_deleted() {
            botdesk_store::soft_delete::<ProductMedia>(tx, link.id())?;
        }
    }
    botdesk_store::soft_delete::<MediaFile>(tx, id)?;
    let mut orphans = Vec::new();
    for sha in contents(&file.data) {
        let still: i64 = tx
            .query_row(
                "SELECT count(*) FROM media_files
             WHERE deleted_at IS NULL AND (sha256 = ?1 OR instr(variants, ?1) > 0)",
                [&sha],
                |r| r.get(0),
            )
            .map_err(StoreError::from)?;
        if still == 0 {
            orphans.push(sha);
        }
    }
    Ok((file, orphans))
}

/// Which records a list shows.
#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    pub kind: Option<StoredKind>,
    pub status: Option<MediaStatus>,
    pub merchant_id: Option<Id>,
    pub product_id: Option<Id>,
    /// Only files no product and no template uses.
    pub unused: bool,
}

/// A page of live records, newest first.
pub fn list(
    conn: &Connection,
    filter: &MediaFilter,
    page: &PageRequest,
) -> Result<Page<Stored<MediaFile>>, LibraryError> {
    let mut f = Filter::live();
    if let Some(kind) = filter.kind {
        f = f.eq("kind", kind);
    }
    if let Some(status) = filter.status {
        f = f.eq("status", status);
    }
    if let Some(merchant) = filter.merchant_id {
        f = f.eq("merchant_id", merchant.to_string());
    }
    if let Some(product) = filter.product_id {
        f = f.condition(
            "id IN (SELECT media_id FROM product_media WHERE product_id = ? AND deleted_at IS NULL)",
            vec![Value::Text(product.to_string())],
        );
    }
    if filter.unused {
        f = f.condition(
            "id NOT IN (SELECT media_id FROM product_media WHERE deleted_at IS NULL)
             AND id NOT IN (SELECT header_media_id FROM message_templates
                            WHERE header_media_id IS NOT NULL AND deleted_at IS NULL)",
            vec![],
        );
    }
    Ok(botdesk_store::list::<MediaFile>(conn, &f, page)?)
}

/// Links a media file to a product, at `position` (appended when `None`); a primary link makes
/// the others not primary.
pub fn link_product(
    tx: &Tx<'_>,
    media_id: Id,
    product: &str,
    position: Option<i64>,
    primary: bool,
) -> Result<Stored<ProductMedia>, LibraryError> {
    get(tx, media_id)?;
    let unknown = || LibraryError::UnknownProduct(product.chars().take(100).collect());
    let product_id: Id = product.trim().parse().map_err(|_| unknown())?;
    match botdesk_store::find::<Product>(tx, product_id)? {
        Some(p) if !p.is_deleted() => {}
        _ => return Err(unknown()),
    }
    let links = botdesk_store::tables::product_media::for_product(tx, product_id)?;
    if primary {
        for link in links
            .iter()
            .filter(|l| l.data.is_primary && !l.is_deleted())
        {
            let mut data = link.data.clone();
            data.is_primary = false;
            botdesk_store::update(tx, link.id(), data)?;
        }
    }
    let next = links
        .iter()
        .filter(|l| !l.is_deleted())
        .map(|l| l.data.position + 1)
        .max()
        .unwrap_or(0);
    let data = ProductMedia {
        product_id,
        media_id,
        position: position.unwrap_or(next).max(0),
        is_primary: primary,
    };
    if let Some(existing) = links
        .iter()
        .find(|l| l.data.media_id == media_id && !l.is_deleted())
    {
        return Ok(botdesk_store::update(tx, existing.id(), data)?);
    }
    Ok(botdesk_store::insert(tx, data)?)
}

/// Ends a media file's link to a product.
pub fn unlink_product(tx: &Tx<'_>, media_id: Id, product_id: Id) -> Result<bool, LibraryError> {
    for link in botdesk_store::tables::product_media::for_product(tx, product_id)? {
        if link.data.media_id == media_id && !link.is_deleted() {
            botdesk_store::soft_delete::<ProductMedia>(tx, link.id())?;
            return Ok(true);
        }
    }
    Ok(false)
}
