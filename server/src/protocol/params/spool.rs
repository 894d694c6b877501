//! One file part written to a spool file as it arrives, bounded, hashed when asked.

use std::path::Path;

use tokio::io::AsyncWriteExt;

/// The size of the spool's writes.
const SPOOL_WRITE: usize = 1 << 20;

/// A file part of a multipart request, spooled to disk. The spool file is removed when this is
/// dropped unless a handler moves it into place first.
#[derive(Debug)]
pub struct UploadedFile {
    pub field: String,
    pub file_name: Option<String>,
    pub size: u64,
    pub path: tempfile::TempPath,
    /// BLAKE3 of the content, computed as it arrived (bodies over 32 MB or of unknown length).
    pub checksum: Option<[u8; 32]>,
    /// The spool file registered as a live request's, so no sweep removes it meanwhile
    /// (`crate::inflight`); `None` for a file that is not in the spool folder.
    pub live: Option<crate::inflight::Live>,
}

pub(super) enum SpoolError {
    Multipart(multer::Error),
    TooLarge,
    Io(std::io::Error),
}

pub(super) async fn spool_field(
    field: &mut multer::Field<'_>,
    limit: u64,
    spool: &Path,
    hash: bool,
) -> Result<
    (
        tempfile::TempPath,
        crate::inflight::Live,
        u64,
        Option<[u8; 32]>,
    ),
    SpoolError,
> {
    tokio::fs::create_dir_all(spool)
        .await
        .map_err(SpoolError::Io)?;
    let path = tempfile::Builder::new()
        .prefix(crate::inflight::SPOOL_PREFIX)
        .tempfile_in(spool)
        .map_err(SpoolError::Io)?
        .into_temp_path();
    // A sweep spares it from now on (and a young file before: it goes by age).
    let live = crate::inflight::Live::new(path.to_path_buf());
    // Network chunks are small; each write to a tokio file is a trip to a blocking thread, so
    // they are gathered into writes of a megabyte.
    let mut file = tokio::io::BufWriter::with_capacity(
        SPOOL_WRITE,
        tokio::fs::File::create(&path)
            .await
            .map_err(SpoolError::Io)?,
    );
    let mut size = 0u64;
    let mut hasher = hash.then(blake3::Hasher::new);
    while let Some(chunk) = field.chunk().await.map_err(SpoolError::Multipart)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(SpoolError::TooLarge);
        }
        if let Some(h) = hasher.as_mut() {
            h.update(&chunk);
        }
        file.write_all(&chunk).await.map_err(SpoolError::Io)?;
    }
    file.flush().await.map_err(SpoolError::Io)?;
    Ok((path, live, size, hasher.map(|h| *h.finalize().as_bytes())))
}
