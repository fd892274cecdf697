//! The media errors, each with a stable machine code (`media.*`).

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("the file is empty")]
    Empty,

    #[error("{what} files are not accepted: {why}")]
    UnsupportedType {
        what: &'static str,
        why: &'static str,
    },

    #[error(
        "this is not a file botdesk accepts (images: JPEG, PNG, WebP, GIF; documents: PDF; \
         video: MP4, 3GPP; audio: AAC, MP3, OGG Opus)"
    )]
    UnknownType,

    #[error("the {kind} file is cut off: {detail}")]
    Truncated { kind: &'static str, detail: String },

    #[error("the {kind} file is damaged: {detail}")]
    Corrupt { kind: &'static str, detail: String },

    #[error(
        "the image is {width}×{height} pixels ({megapixels} megapixels); at most {max_megapixels} \
         megapixels are accepted"
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        megapixels: u64,
        max_megapixels: u64,
    },

    #[error("the image declares no pixels ({width}×{height})")]
    ZeroDimensions { width: u32, height: u32 },

    #[error("the file is {bytes} bytes; {kind} files may have at most {max}")]
    TooLarge {
        kind: &'static str,
        bytes: u64,
        max: u64,
    },

    #[error("the file was declared as {declared} but its bytes are {actual}")]
    TypeMismatch {
        declared: String,
        actual: &'static str,
    },

    #[error("the file carries something else inside it ({what}): it is refused")]
    Polyglot { what: &'static str },

    #[error("the upload stopped before its end: {detail}")]
    UploadInterrupted { detail: String },

    /// A streamed upload longer than any media limit (its size is not known up front).
    #[error("the upload is larger than botdesk accepts")]
    UploadTooLarge,

    /// A multipart upload without its `file` part.
    #[error("the upload has no `file` field")]
    NoFile,

    /// A file named by its path (dropped on the desktop window) that cannot be opened.
    #[error("{path} cannot be read: {reason}")]
    UnreadableFile { path: String, reason: String },

    #[error("{name:?} is not a media file name")]
    BadName { name: String },

    #[error("the processing options are not usable: {detail}")]
    BadOptions { detail: String },

    #[error("the image could not be processed: {detail}")]
    Processing { detail: String },

    #[error("the disk is full: the file was not saved")]
    DiskFull,

    #[error("media storage failed: {detail}")]
    Storage { detail: String },
}

impl MediaError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Empty => "media.empty",
            MediaError::UnsupportedType { .. } => "media.unsupported_type",
            MediaError::UnknownType => "media.unknown_type",
            MediaError::Truncated { .. } => "media.truncated",
            MediaError::Corrupt { .. } => "media.corrupt",
            MediaError::TooManyPixels { .. } => "media.too_many_pixels",
            MediaError::ZeroDimensions { .. } => "media.zero_dimensions",
            MediaError::TooLarge { .. } => "media.too_large",
            MediaError::TypeMismatch { .. } => "media.type_mismatch",
            MediaError::Polyglot { .. } => "media.polyglot",
            MediaError::UploadInterrupted { .. } => "media.upload_interrupted",
            MediaError::UploadTooLarge => "media.too_large",
            MediaError::NoFile => "media.empty",
            MediaError::UnreadableFile { .. } => "media.unreadable_file",
            MediaError::BadName { .. } => "media.bad_name",
            MediaError::BadOptions { .. } => "media.bad_options",
            MediaError::Processing { .. } => "media.processing_failed",
            MediaError::DiskFull => "media.disk_full",
            MediaError::Storage { .. } => "media.storage",
        }
    }
}
