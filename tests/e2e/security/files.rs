//! (tests of this part are added with its fix)
