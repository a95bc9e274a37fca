//! Reading a schema from disk or standard input: a file, a schema folder, or `-`.
//!
//! This is an edge module (it does I/O); everything after it works on [`Sources`].

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostics::{SourceFile, Sources};

/// Why a schema could not be read, with what to do about it.
#[derive(Debug)]
pub enum InputError {
    NotFound(PathBuf),
    Unreadable {
        path: PathBuf,
        reason: String,
    },
    /// Where the first byte that is not UTF-8 stands, 1-based.
    NotUtf8 {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    EmptyFolder(PathBuf),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotFound(p) => write!(
                f,
                "{}: no such file or folder\n  = help: pass a schema file (schema.prisma), a schema folder, or - for standard input",
                p.display()
            ),
            InputError::Unreadable { path, reason } => {
                write!(f, "{}: cannot be read: {reason}", path.display())
            }
            InputError::NotUtf8 { path, line, column } => write!(
                f,
                "{}:{line}:{column}: is not UTF-8 text (the byte at line {line}, column {column})\n  = help: Prisma schemas are UTF-8; re-save the file as UTF-8",
                path.display()
            ),
            InputError::EmptyFolder(p) => write!(
                f,
                "{}: this folder holds no .prisma file\n  = help: a schema folder is read as all the .prisma files under it",
                p.display()
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// Read `path` as one schema. `-` reads standard input, shown as `<stdin>`.
pub fn read_schema(path: &Path) -> Result<Sources, InputError> {
    let mut sources = Sources::default();
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| InputError::Unreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        sources.add(SourceFile::new("<stdin>", text_of(path, bytes)?));
        return Ok(sources);
    }
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::NotFound(path.to_path_buf()),
        _ => InputError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
    })?;
    if meta.is_dir() {
        let mut files = Vec::new();
        collect_prisma_files(path, &mut files)?;
        if files.is_empty() {
            return Err(InputError::EmptyFolder(path.to_path_buf()));
        }
        // Sorted so that the same folder always gives the same schema and output.
        files.sort();
        for f in files {
            sources.add(read_file(&f)?);
        }
    } else {
        sources.add(read_file(path)?);
    }
    Ok(sources)
}

fn read_file(path: &Path) -> Result<SourceFile, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(SourceFile::new(
        path.display().to_string(),
        text_of(path, bytes)?,
    ))
}

/// A file's bytes as text: UTF-8, without the byte-order mark some editors write first
/// (Prisma reads past it too).
fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, InputError> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let prefix = String::from_utf8_lossy(&valid[line_start..]);
        InputError::NotUtf8 {
            path: path.to_path_buf(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            column: prefix.chars().count() + 1,
        }
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Folders of a schema folder that are not read: Prisma skips migrations, dependencies and
/// hidden folders.
fn is_skipped_folder(name: &str) -> bool {
    name == "migrations" || name == "node_modules" || name.starts_with('.')
}

/// A prisma-xc plan folder (its `plan.json` beside its `schema.expand.prisma`), by whether it
/// holds a file: left inside a schema folder, its schema.expand.prisma would be read as part of
/// the schema (prisma-xc writes plans outside the folder).
fn is_plan_folder(holds: impl Fn(&str) -> bool) -> bool {
    use crate::plan::PlanPath;
    holds(PlanPath::PlanJson.path()) && holds(PlanPath::ExpandSchema.path())
}

fn collect_prisma_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let entries = std::fs::read_dir(dir).map_err(|e| InputError::Unreadable {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    for entry in entries {
        let entry = entry.map_err(|e| InputError::Unreadable {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
        let path = entry.path();
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir {
            if is_skipped_folder(&entry.file_name().to_string_lossy())
                || is_plan_folder(|file| path.join(file).is_file())
            {
                continue;
            }
            collect_prisma_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "prisma") {
            out.push(path);
        }
    }
    Ok(())
}

/// Read `path` (a schema file or folder, from the current folder) as it is at git revision
/// `rev`: the old schema of a pull request (`--base main`). Files are named `rev:path`.
pub fn read_schema_at_revision(rev: &str, path: &Path) -> Result<Sources, String> {
    let shown = |p: &Path| format!("{rev}:{}", p.display());
    let not_there = |why: String| {
        format!(
            "{}: not found at git revision {rev:?}: {why}\n  = help: name a revision that has the schema (--base main), or pass OLD as a file",
            path.display()
        )
    };
    // `rev:./name` is read relative to the folder git runs in: the file's own folder (or the
    // schema folder itself), so that relative and absolute paths both work.
    let object = |name: &Path| format!("{rev}:./{}", name.display());
    let parent = path.parent().unwrap_or(Path::new(""));
    let file_name = Path::new(path.file_name().unwrap_or(path.as_os_str()));
    let kind = git(parent, &["cat-file", "-t", &object(file_name)]).map_err(not_there)?;
    let mut sources = Sources::default();
    if String::from_utf8_lossy(&kind).trim() == "tree" {
        let listing = git(
            path,
            &["ls-tree", "-r", "--name-only", "-z", rev, "--", "."],
        )
        .map_err(not_there)?;
        let listed: Vec<PathBuf> = listing
            .split(|b| *b == 0)
            .filter(|n| !n.is_empty())
            .map(|n| PathBuf::from(String::from_utf8_lossy(n).into_owned()))
            .collect();
        // The folders read_schema skips on disk, skipped here too.
        let skipped = |file: &Path| {
            file.ancestors().skip(1).any(|folder| {
                folder
                    .file_name()
                    .is_some_and(|n| is_skipped_folder(&n.to_string_lossy()))
                    || (!folder.as_os_str().is_empty()
                        && is_plan_folder(|f| listed.contains(&folder.join(f))))
            })
        };
        let mut files: Vec<PathBuf> = listed
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "prisma") && !skipped(p))
            .cloned()
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(not_there("the folder holds no .prisma file".into()));
        }
        for f in files {
            let bytes = git(path, &["show", &object(&f)]).map_err(not_there)?;
            let full = path.join(&f);
            let text = text_of(&full, bytes).map_err(|e| e.to_string())?;
            sources.add(SourceFile::new(shown(&full), text));
        }
    } else {
        let bytes = git(parent, &["show", &object(file_name)]).map_err(not_there)?;
        let text = text_of(path, bytes).map_err(|e| e.to_string())?;
        sources.add(SourceFile::new(shown(path), text));
    }
    Ok(sources)
}

/// `git -C dir args...`'s standard output, or its error message.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
        .args(args)
        .output()
        .map_err(|e| format!("could not run git ({e}): install git, or pass OLD as a file"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Where files are read from: the working tree, or a git revision (`--head`).
#[derive(Debug, Clone, Copy)]
pub enum Tree<'a> {
    WorkingTree,
    Revision(&'a str),
}

impl Tree<'_> {
    /// The names of the folders in `dir`, sorted; none when it does not exist.
    pub fn folders(&self, dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = match self {
            Tree::WorkingTree => std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default(),
            Tree::Revision(rev) => {
                // From inside the folder, `ls-tree REV -- .` lists what it holds, named from it.
                match git(dir, &["ls-tree", "-z", rev, "--", "."]) {
                    Ok(listing) => listing
                        .split(|b| *b == 0)
                        .filter_map(|entry| {
                            let entry = String::from_utf8_lossy(entry);
                            let (meta, name) = entry.split_once('\t')?;
                            meta.contains(" tree ").then(|| name.to_string())
                        })
                        .collect(),
                    Err(_) => Vec::new(),
                }
            }
        };
        names.sort();
        names
    }

    /// A text file's contents; `None` when it is not there.
    pub fn read(&self, path: &Path) -> Option<String> {
        match self {
            Tree::WorkingTree => std::fs::read_to_string(path).ok(),
            Tree::Revision(rev) => {
                let parent = path.parent().unwrap_or(Path::new(""));
                let name = path.file_name()?.to_string_lossy();
                git(parent, &["show", &format!("{rev}:./{name}")])
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
            }
        }
    }
}
