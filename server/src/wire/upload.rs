//! An upload on the wire (reference §3.11): what `Upload.Item`'s `upload`, `upload_to_folder` and
//! `backup_to_path` take besides the file ([`UploadRequest`], which `Upload.Resumable create`
//! takes too), and what they answer ([`Uploaded`], the answer of a resumable upload's last chunk
//! and of a Photo Request's upload as well). Read from the parameters, not checked: whether the
//! name may be stored, the album joined and the folder written is `services::uploads`' to say.

use serde::Serialize;

use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::params::Params;

/// The method an upload came by: where its destination is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `upload`: the parts of `folder` and `uploadDestination`.
    Library,
    /// `upload_to_folder`: `target_folder_id` (or `folder_id`).
    FolderId,
    /// `backup_to_path`: `path`.
    Path,
}

impl Target {
    /// A resumable upload's `target`: the method's name.
    pub fn named(name: &str) -> ApiResult<Target> {
        match name {
            "upload" => Ok(Target::Library),
            "upload_to_folder" => Ok(Target::FolderId),
            "backup_to_path" => Ok(Target::Path),
            _ => Err(ApiError::bad(
                "target",
                "upload, upload_to_folder or backup_to_path",
            )),
        }
    }
}

/// What to do when the name is taken (`duplicate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duplicate {
    /// Keep what is there; the answer names the item already there.
    Ignore,
    /// Store under the next free name: `name_1.jpg`, `name_2.jpg`, …
    Rename,
    /// Replace the file; the item keeps its id and is indexed again.
    Overwrite,
}

/// Where the upload goes, as its method names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// `upload`: the parts of `folder` (absent: the default), and `uploadDestination`
    /// (`Some(true)` timeline, `Some(false)` folder, `None` not said).
    Library {
        folder: Option<Vec<String>>,
        timeline: Option<bool>,
    },
    /// `upload_to_folder`: a folder id.
    Folder(i64),
    /// `backup_to_path`: `path` (absent: the default).
    Path(Option<String>),
}

/// An album to join: `album_id`, named through a share link when the call names one
/// (`passphrase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlbumRef {
    pub id: i64,
    pub by_link: bool,
}

/// An integer parameter read when it is needed: one that is not a number fails only the upload
/// that uses it.
#[derive(Debug, Clone, Copy)]
pub struct LaterInt {
    key: &'static str,
    value: Option<Result<i64, ()>>,
}

impl LaterInt {
    fn read(params: &Params, key: &'static str) -> LaterInt {
        let value = params.int(key).map_err(|_| ()).transpose();
        LaterInt { key, value }
    }

    /// Not given.
    pub const fn absent(key: &'static str) -> LaterInt {
        LaterInt { key, value: None }
    }

    /// The value, if given; an error if it is not an integer.
    pub fn get(&self) -> ApiResult<Option<i64>> {
        self.value
            .map(|v| v.map_err(|()| ApiError::bad(self.key, "not an integer")))
            .transpose()
    }
}

/// An upload's parameters besides its file.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    /// `name`, else the `file` part's own name; not checked yet.
    pub name: String,
    pub duplicate: Duplicate,
    pub album: Option<AlbumRef>,
    pub destination: Destination,
    /// The phone's `date` taken and `mtime`, Unix seconds or milliseconds.
    pub date: LaterInt,
    pub mtime: LaterInt,
}

impl UploadRequest {
    /// The parameters of an upload by `target`; `file_name` is the `file` part's own name.
    pub fn read(
        params: &Params,
        target: Target,
        file_name: Option<String>,
    ) -> ApiResult<UploadRequest> {
        let name = params
            .string("name")
            .or(file_name)
            .ok_or(ApiError::MissingParam("name"))?;
        let duplicate = match params.string("duplicate").as_deref() {
            None | Some("ignore") => Duplicate::Ignore,
            Some("rename") => Duplicate::Rename,
            Some("overwrite") => Duplicate::Overwrite,
            Some(_) => return Err(ApiError::bad("duplicate", "ignore, rename or overwrite")),
        };
        let album = params.int("album_id")?.map(|id| AlbumRef {
            id,
            by_link: params.raw("passphrase").is_some(),
        });
        let destination = match target {
            Target::FolderId => Destination::Folder(match params.int("target_folder_id")? {
                Some(id) => id,
                None => params
                    .int("folder_id")?
                    .ok_or(ApiError::MissingParam("target_folder_id"))?,
            }),
            Target::Path => Destination::Path(params.string("path")),
            Target::Library => Destination::Library {
                folder: params.string_list("folder")?,
                timeline: match params.string("uploadDestination").as_deref() {
                    Some("timeline") => Some(true),
                    Some("folder") => Some(false),
                    None => None,
                    Some(_) => {
                        return Err(ApiError::bad("uploadDestination", "timeline or folder"));
                    }
                },
            },
        };
        Ok(UploadRequest {
            name,
            duplicate,
            album,
            destination,
            date: LaterInt::read(params, "date"),
            mtime: LaterInt::read(params, "mtime"),
        })
    }
}

/// The answer of an upload: the item and what was done (`upload`, `rename`, `overwrite`,
/// `ignore`) under which name.
#[derive(Debug, Clone, Serialize)]
pub struct Uploaded {
    pub id: i64,
    pub unit_id: i64,
    pub action: &'static str,
    pub name: String,
}
