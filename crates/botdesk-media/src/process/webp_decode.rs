//! Still WebP pictures through libwebp, which scales while it decodes: a 16-megapixel WebP
//! needed for 600-pixel variants costs a fraction of a full decode (`image`'s pure-Rust decoder
//! took 0.4 s for it here). This is the one place botdesk calls C without a safe wrapper
//! crate in between, so the unsafe code is kept to the two calls and their buffer.
#![allow(unsafe_code)]

use libwebp_sys as sys;

use super::Pixels;

/// Decodes a still WebP picture straight to `width`×`height` pixels (RGBA if `alpha`).
pub fn decode_scaled(
    bytes: &[u8],
    width: u32,
    height: u32,
    scale: bool,
    alpha: bool,
) -> Result<Pixels, String> {
    let channels: u8 = if alpha { 4 } else { 3 };
    let stride = width as usize * usize::from(channels);
    let mut data = vec![0u8; stride * height as usize];
    let (Ok(c_width), Ok(c_height), Ok(c_stride)) = (
        i32::try_from(width),
        i32::try_from(height),
        i32::try_from(stride),
    ) else {
        return Err(format!("{width}×{height} is too large for libwebp"));
    };
    let mut config = sys::WebPDecoderConfig::new()
        .map_err(|()| "libwebp refused its default configuration".to_owned())?;
    if scale {
        config.options.use_scaling = 1;
        config.options.scaled_width = c_width;
        config.options.scaled_height = c_height;
    }
    config.output.colorspace = if alpha {
        sys::WEBP_CSP_MODE::MODE_RGBA
    } else {
        sys::WEBP_CSP_MODE::MODE_RGB
    };
    config.output.is_external_memory = 1;
    config.output.u.RGBA = sys::WebPRGBABuffer {
        rgba: data.as_mut_ptr(),
        stride: c_stride,
        size: data.len(),
    };
    // SAFETY: `bytes` is a live slice of the length passed; the output buffer described in
    // `config.output` is `data`, which lives to the end of this function and whose length and
    // stride are the ones declared, so libwebp writes only inside it.
    let status = unsafe { sys::WebPDecode(bytes.as_ptr(), bytes.len(), &mut config) };
    // SAFETY: `config.output` was initialised by WebPDecoderConfig::new and used by WebPDecode
    // only; with external memory this frees nothing of ours.
    unsafe { sys::WebPFreeDecBuffer(&mut config.output) };
    if status != sys::VP8StatusCode::VP8_STATUS_OK {
        return Err(format!("libwebp could not decode it ({status:?})"));
    }
    if config.output.width != c_width || config.output.height != c_height {
        return Err("libwebp decoded another size than asked".into());
    }
    Ok(Pixels {
        width,
        height,
        channels,
        data,
    })
}

/// The payload of the first RIFF chunk named `fourcc` (`EXIF`, `ICCP`) of a WebP file.
pub fn chunk<'a>(bytes: &'a [u8], fourcc: &[u8; 4]) -> Option<&'a [u8]> {
    let mut at = 12;
    while let Some(header) = bytes.get(at..at + 8) {
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let body = bytes.get(at + 8..at + 8 + len)?;
        if &header[..4] == fourcc {
            return Some(body);
        }
        at += 8 + len + (len & 1);
    }
    None
}
