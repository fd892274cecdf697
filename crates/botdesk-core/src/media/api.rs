//! The media area's JSON operations (the multipart upload and the file itself are served by
//! the HTTP shell by hand: they are not JSON).

use crate::media::wire::{
    MediaDetailDto, MediaDto, MediaOptionsDto, MediaPageDto, MediaQuery, MediaRemoveQuery,
    MediaRemovedDto, MediaUploadRequest, ProductLinkRequest,
};
use crate::media::{records, upload};

crate::operations! {
    tag "media";

    /// The media library, newest first: by kind, status, merchant, product, or unused.
    list_media: Get "/api/media" query(MediaQuery) -> MediaPageDto
        => blocking |s, c, i| records::list(s, i.query);

    /// Uploads a file as base64 in JSON (the original design's call).
    ///
    /// Large files go through `POST /api/media` (multipart), which never holds them in memory.
    /// An image's processing is queued with its record.
    upload_media: Post "/api/media/upload" body(MediaUploadRequest) status(201)
        limit(MediaBase64) -> MediaDto
        => future |s, c, i| upload::upload_base64(s, &c.actor, i.body);

    /// A media file with its variants and what uses it.
    get_media: Get "/api/media/{id}" path(id) -> MediaDetailDto
        => blocking |s, c, i| records::get(s, &i.path.id);

    /// Deletes a media file (and the stored files no other record holds).
    ///
    /// A file a product or a template uses is refused unless `force`.
    remove_media: Delete "/api/media/{id}" path(id) query(MediaRemoveQuery) -> MediaRemovedDto
        => blocking |s, c, i| {
            records::remove(s, &c.actor, &i.path.id, i.query.force.unwrap_or(false), i.query.replace_with.as_deref())
        };

    /// Processes an image again (after a failure, or with other sizes or quality).
    reprocess_media: Post "/api/media/{id}/process" path(id) body(MediaOptionsDto) status(202)
        -> MediaDto
        => future |s, c, i| records::reprocess(s, &c.actor, &i.path.id, Some(i.body));

    /// Shows the file on a product (at a position; as its main picture when `primary`).
    link_media_product: Put "/api/media/{id}/products/{product_id}" path(id, product_id)
        body(ProductLinkRequest) -> MediaDetailDto
        => blocking |s, c, i| {
            records::link_product(s, &c.actor, &i.path.id, &i.path.product_id, i.body)
        };

    /// Stops showing the file on a product.
    unlink_media_product: Delete "/api/media/{id}/products/{product_id}" path(id, product_id)
        -> MediaDetailDto
        => blocking |s, c, i| {
            records::unlink_product(s, &c.actor, &i.path.id, &i.path.product_id)
        };
}
