//! The floor for bench/build.sh: the least a static site generator must do
//! with the benchmark's pages. Reads every `.md` under `SITE/content`, drops
//! the front matter, renders the Markdown with pulldown-cmark (loket's
//! options) on rayon, and writes `OUT/<path>/index.html`. No templates, no
//! site model, no checks, no swap: `floor SITE OUT`.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [site, out] = args.as_slice() else {
        eprintln!("usage: floor SITE OUT");
        std::process::exit(2);
    };
    let content = site.join("content");
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    files.par_iter().for_each(|path| {
        let text = std::fs::read_to_string(path).expect("read");
        let body = text
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map_or(text.as_str(), |(_, body)| body);
        let mut page = String::with_capacity(body.len() * 3 / 2);
        html::push_html(&mut page, Parser::new_ext(body, options));
        let rel = path.strip_prefix(&content).unwrap().with_extension("");
        let dir = out.join(rel.to_str().unwrap().trim_end_matches("_index"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("index.html"), page).expect("write");
    });
    println!("{} pages into {}", files.len(), Path::new(out).display());
}
