//! `SYNO.Foto.Browse.*` / `SYNO.FotoTeam.Browse.*`: one set of handlers for both spaces; the
//! API name picks the space (reference §3 "Space"). What they share lives beneath them: paging, order
//! and `additional` in `protocol/listing.rs`, the item object in `wire/item.rs`, how items are
//! shown to a viewer in `services/items.rs`.

pub mod album;
pub mod category;
pub mod condition_album;
pub mod diff;
pub mod folder;
pub mod item;
pub mod normal_album;
pub mod person;
pub mod place;
pub mod recently_added;
pub mod tag;
pub mod timeline;
