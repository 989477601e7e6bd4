//! The template set: built-ins compiled into the binary, overridden file by file from a
//! user's directory (`--templates DIR`); `templates export DIR` writes [`BUILT_IN`] out.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use serde::Serialize;
use tera::{Kwargs, State, Tera};

/// The built-in templates, by file name.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("sprint.md", include_str!("../../templates/sprint.md")),
    ("em.md", include_str!("../../templates/em.md")),
    ("board.md", include_str!("../../templates/board.md")),
    ("_section.md", include_str!("../../templates/_section.md")),
    ("_footer.md", include_str!("../../templates/_footer.md")),
    ("sprint.html", include_str!("../../templates/sprint.html")),
    ("em.html", include_str!("../../templates/em.html")),
    ("board.html", include_str!("../../templates/board.html")),
    (
        "_document.html",
        include_str!("../../templates/_document.html"),
    ),
    ("_page.html", include_str!("../../templates/_page.html")),
    (
        "_section.html",
        include_str!("../../templates/_section.html"),
    ),
    ("_style.html", include_str!("../../templates/_style.html")),
];

/// A loaded template set.
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// The built-ins, with any file of the same name (or any other `.md`/`.html` file) in
    /// `dir` taking precedence.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let mut sources: Vec<(String, String)> = BUILT_IN
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir)
                .with_context(|| format!("cannot read the template directory {}", dir.display()))?;
            let mut names = Vec::new();
            for entry in entries {
                let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if (name.ends_with(".md") || name.ends_with(".html")) && entry.path().is_file() {
                    names.push(name);
                }
            }
            names.sort();
            for name in names {
                let path = dir.join(&name);
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the template {}", path.display()))?;
                match sources.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = text,
                    None => sources.push((name, text)),
                }
            }
        }
        let mut tera = Tera::new();
        tera.register_filter("md", |text: &str, _: Kwargs, _: &State| {
            super::markdown::escape(text)
        });
        tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| anyhow!("{e}"))
            .context(match dir {
                Some(d) => format!("a template in {} is broken", d.display()),
                None => "a built-in template is broken".to_string(),
            })?;
        Ok(Templates { tera })
    }

    pub fn render(&self, name: &str, context: &impl Serialize) -> Result<String> {
        let context = tera::Context::from_serialize(context).map_err(|e| anyhow!("{e}"))?;
        self.tera
            .render(name, &context)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("cannot render the template {name}"))
    }
}
