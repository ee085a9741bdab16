//! `iamlint catalog update` against a local HTTP server (written by the update work).
