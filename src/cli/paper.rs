//! `panelist paper sheet` and `panelist paper summary`: the PDFs an expert
//! and the panel sign by hand, each page tied to its signed file by its
//! SHA-256.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};

use super::Ctx;
use super::print;
use crate::domain::text::inert_path;
use crate::exit;
use crate::paper::{self, Printed, Source};
use crate::support::lang::Lang;

#[derive(Subcommand, Debug)]
pub enum PaperCmd {
    /// An expert's score sheet (个人评分表) from a signed export, as PDF.
    Sheet(SheetArgs),
    /// The panel's summary (专家组评审汇总表) from a merged result, as PDF.
    Summary(SummaryArgs),
}

#[derive(Args, Debug)]
pub struct SheetArgs {
    /// An expert's signed export.
    pub file: PathBuf,
    /// Verify the file against this roster first (JSON array, or a bundle).
    #[arg(long)]
    pub roster: Option<PathBuf>,
    /// The panel bundle (or the working copy): the applications' titles,
    /// and a check that the export scores it.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// The PDF to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// A CJK font file (.ttf, .otf, .ttc) instead of an installed one.
    #[arg(long)]
    pub font: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SummaryArgs {
    /// A signed merged result.
    pub file: PathBuf,
    /// Verify the file against this roster first (JSON array, or a bundle).
    #[arg(long)]
    pub roster: Option<PathBuf>,
    /// The PDF to write.
    #[arg(short, long)]
    pub output: PathBuf,
    /// A CJK font file (.ttf, .otf, .ttc) instead of an installed one.
    #[arg(long)]
    pub font: Option<PathBuf>,
}

pub fn run(c: &PaperCmd, ctx: &Ctx) -> Result<u8> {
    // The paper is Chinese unless --lang says otherwise.
    let paper_lang = ctx.lang_flag.unwrap_or(Lang::Zh);
    match c {
        PaperCmd::Sheet(a) => {
            let mut ins: Vec<&Path> = vec![&a.file];
            ins.extend(a.roster.as_deref());
            ins.extend(a.bundle.as_deref());
            ins.extend(a.font.as_deref());
            crate::support::fs::check_outputs(&ins, &[&a.output])?;
            let mut font = paper::font_for(a.font.as_deref(), ctx.lang)?;
            let input = paper::read_sheet(&a.file, a.roster.as_deref(), a.bundle.as_deref())?;
            let printed = paper::sheet_pdf(&input, &mut font, paper_lang)?;
            paper::write_pdf(&a.output, &printed)?;
            done(&a.output, &printed, &input.source, ctx.lang);
        }
        PaperCmd::Summary(a) => {
            let mut ins: Vec<&Path> = vec![&a.file];
            ins.extend(a.roster.as_deref());
            ins.extend(a.font.as_deref());
            crate::support::fs::check_outputs(&ins, &[&a.output])?;
            let mut font = paper::font_for(a.font.as_deref(), ctx.lang)?;
            let input = paper::read_summary(&a.file, a.roster.as_deref())?;
            let printed = paper::summary_pdf(&input, &mut font, paper_lang)?;
            paper::write_pdf(&a.output, &printed)?;
            done(&a.output, &printed, &input.source, ctx.lang);
        }
    }
    Ok(exit::OK)
}

fn done(out: &Path, printed: &Printed, src: &Source, lang: Lang) {
    let out = inert_path(out);
    let name = crate::domain::text::inert_line(&src.name);
    print::line(match lang {
        Lang::Zh => format!(
            "{out}：{} 页，对应文件 {name}（SHA-256 {}）",
            printed.pages, src.sha256
        ),
        Lang::En => format!(
            "{out}: {} pages, of {name} (SHA-256 {})",
            printed.pages, src.sha256
        ),
    });
}
