//! Which file-system changes matter to the site, for `serve --watch`.

use std::path::{Path, PathBuf};

use crate::core::calendar::HOLIDAYS_DIR;
use crate::site::config::CONFIG_FILE;
use crate::site::content::{CONTENT_DIR, STATIC_DIR, TEMPLATES_DIR};

/// Folders under the site root whose changes trigger a rebuild (recursive),
/// besides `site.yaml` in the root itself. `survei/` holds the published
/// survey results and the questionnaire's wording.
pub const WATCHED_DIRS: [&str; 5] = [
    CONTENT_DIR,
    TEMPLATES_DIR,
    STATIC_DIR,
    HOLIDAYS_DIR,
    SURVEY_DIR,
];

/// The site's survey folder (`survei/hasil.yaml`, `survei/kuesioner.yaml`).
const SURVEY_DIR: &str = "survei";

/// Files editors write next to the real one while saving, and anything else
/// the site's loaders ignore ([`crate::core::fs::is_ignored_name`]).
pub fn is_editor_temp(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return true;
    };
    crate::core::fs::is_ignored_name(&name)
}

/// What a batch of changed paths asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Markdown files under content/ (existing or not).
    pub pages: Vec<PathBuf>,
    pub templates: bool,
    /// Assets, site.yaml, or anything else that needs a full build.
    pub other: bool,
    pub holidays: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && !self.templates && !self.other && !self.holidays
    }
}

/// Sorts changed paths into what they affect, dropping editor droppings and
/// anything outside the watched parts of `root` (the output and data folders
/// among them).
pub fn classify(root: &Path, paths: impl IntoIterator<Item = PathBuf>) -> Changes {
    let mut changes = Changes::default();
    for path in paths {
        let rel = match path.strip_prefix(root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => continue,
        };
        if rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            || is_editor_temp(&rel)
        {
            continue;
        }
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        match first.as_str() {
            CONTENT_DIR
                if rel.extension().is_some_and(|x| x == "md") && !changes.pages.contains(&path) =>
            {
                changes.pages.push(path)
            }
            CONTENT_DIR if rel.extension().is_some_and(|x| x == "md") => {}
            // A folder created, renamed or removed under content/.
            CONTENT_DIR => changes.other = true,
            TEMPLATES_DIR => changes.templates = true,
            STATIC_DIR | SURVEY_DIR => changes.other = true,
            HOLIDAYS_DIR => changes.holidays = true,
            name if name == CONFIG_FILE && rel.components().count() == 1 => changes.other = true,
            _ => {}
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_droppings_are_ignored() {
        for name in [
            "4913",
            ".page.md.swp",
            "page.md~",
            ".#page.md",
            "#page.md#",
            "x.swx",
        ] {
            assert!(is_editor_temp(Path::new(name)), "{name}");
        }
        assert!(!is_editor_temp(Path::new("page.md")));
    }

    #[test]
    fn classifies_changes() {
        let root = Path::new("/site");
        let c = classify(
            root,
            [
                "/site/content/a.md",
                "/site/content/.a.md.swp",
                "/site/content/4913",
                "/site/public/index.html",
                "/site/data/submissions/x.yaml",
                "/elsewhere/content/b.md",
            ]
            .map(PathBuf::from),
        );
        assert_eq!(c.pages, vec![PathBuf::from("/site/content/a.md")]);
        assert!(!c.templates && !c.other && !c.holidays);
        let c = classify(
            root,
            ["/site/templates/base.html", "/site/site.yaml"].map(PathBuf::from),
        );
        assert!(c.templates && c.other);
        assert!(classify(root, [PathBuf::from("/site/survei/hasil.yaml")]).other);
        assert!(classify(root, [PathBuf::from("/site/data/survei/jawaban/x.yaml")]).is_empty());
        assert!(classify(root, [PathBuf::from("/site/public/x.html")]).is_empty());
    }
}
