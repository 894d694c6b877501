-- Folder permissions of the Shared Space for groups (issue 7): as `folder_permissions`, for
-- every member of the group with custom access. A user's rights on a folder are the union of
-- their own row and their groups' rows there.
CREATE TABLE group_folder_permissions (
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    group_id  INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    view      INTEGER NOT NULL DEFAULT 0,
    download  INTEGER NOT NULL DEFAULT 0,
    upload    INTEGER NOT NULL DEFAULT 0,
    manage    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (folder_id, group_id)
) WITHOUT ROWID;
CREATE INDEX group_folder_permissions_by_group ON group_folder_permissions(group_id);
